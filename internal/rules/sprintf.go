package rules

import (
	"fmt"

	"github.com/execrole/execrole/internal/source"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

type rangeT = source.Range
