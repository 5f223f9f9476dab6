package launch

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is an ECS container agent version. The EC2 agent's error texts
// changed with its AWS SDK (research ecs-execution-requirements.md §2.2,
// §7.5), so the wording a user sees depends on it. The zero Version means
// Latest.
type Version struct{ Major, Minor, Patch int }

// Latest is the agent version the research read (amazon-ecs-agent
// agent/version at commit 8dfceca6c).
var Latest = Version{1, 105, 1}

// Agent versions at which EC2 error texts changed (research §2.1, §2.2,
// amazon-ecs-agent git tags): v1.84.0 (PR #4181) wraps Secrets Manager
// errors as "Secret {id}: {err}: {err}" and adds the "The task can’t pull
// the image" prefix; v1.92.0 moved Secrets Manager to AWS SDK for Go v2;
// v1.93.1 moved SSM, ECR and S3.
var (
	v1_84_0 = Version{1, 84, 0}
	v1_92_0 = Version{1, 92, 0}
	v1_93_1 = Version{1, 93, 1}
)

// ParseVersion reads "1.92.0" or "v1.92.0".
func ParseVersion(s string) (Version, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "v")
	parts := strings.Split(t, ".")
	if len(parts) != 3 {
		return Version{}, fmt.Errorf("agent version %q: expected MAJOR.MINOR.PATCH, such as 1.92.0", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || p == "" {
			return Version{}, fmt.Errorf("agent version %q: %q is not a number", s, p)
		}
		n[i] = v
	}
	return Version{n[0], n[1], n[2]}, nil
}

// Less orders versions.
func (v Version) Less(w Version) bool {
	if v.Major != w.Major {
		return v.Major < w.Major
	}
	if v.Minor != w.Minor {
		return v.Minor < w.Minor
	}
	return v.Patch < w.Patch
}

// String prints "1.92.0".
func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// orLatest maps the zero Version to Latest.
func (v Version) orLatest() Version {
	if v == (Version{}) {
		return Latest
	}
	return v
}
