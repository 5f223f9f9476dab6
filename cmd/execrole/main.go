// Command execrole makes Amazon ECS task execution roles least-privilege and
// sure to let the task start. See the README for the commands.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/execrole/execrole/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
