package main

import "flag"

var update = flag.Bool("update", false, "rewrite the expected output of testscript files")
