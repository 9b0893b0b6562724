package benchrun

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/spikego/spikego/internal/cpu"
)

// cpuModel returns the CPU's model name as lscpu prints it (or, without
// lscpu, /proc/cpuinfo's), or "" if neither is available.
func cpuModel(ctx context.Context) string {
	if out, err := exec.CommandContext(ctx, "lscpu").Output(); err == nil {
		if v := field(out, "Model name:"); v != "" {
			return v
		}
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		return field(b, "model name")
	}
	return ""
}

// field returns the value after the first line of text that starts with
// key (and a colon, for /proc/cpuinfo's "key\t: value").
func field(text []byte, key string) string {
	sc := bufio.NewScanner(bytes.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, key); ok {
			rest = strings.TrimSpace(rest)
			rest = strings.TrimSpace(strings.TrimPrefix(rest, ":"))
			return rest
		}
	}
	return ""
}

// cpuFeatures lists the vector instructions spikego's kernels use on this
// CPU.
func cpuFeatures() string {
	f := cpu.X86()
	var have []string
	for _, x := range []struct {
		ok   bool
		name string
	}{{f.AVX2, "AVX2"}, {f.FMA, "FMA"}, {f.AVX512F, "AVX-512F"}} {
		if x.ok {
			have = append(have, x.name)
		}
	}
	if len(have) == 0 {
		return "none of AVX2, FMA, AVX-512F"
	}
	return strings.Join(have, ", ")
}

// loadAvg returns the 1, 5 and 15 minute load averages, or ok false where
// /proc/loadavg does not exist.
func loadAvg() (l [3]float64, ok bool) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return l, false
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return l, false
	}
	for i := range 3 {
		if l[i], err = strconv.ParseFloat(f[i], 64); err != nil {
			return l, false
		}
	}
	return l, true
}

// clockTicks is USER_HZ, the unit of /proc/stat: 100 on every Linux
// architecture Go supports.
const clockTicks = 100

// busyCPUSeconds returns the CPU time the whole machine has spent busy
// since boot (user, nice, system, irq, softirq and steal in /proc/stat),
// or ok false without /proc/stat.
func busyCPUSeconds() (float64, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 8 || f[0] != "cpu" {
		return 0, false
	}
	var busy float64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system irq softirq steal
		if i >= len(f) {
			continue
		}
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return 0, false
		}
		busy += v
	}
	return busy / clockTicks, true
}

// commitOf returns the commit that was measured and whether the tree had
// changes: the VCS stamp of this binary if it has one, else what git says
// about the source tree at root ("" when neither is known). source says
// which.
func commitOf(ctx context.Context, root string) (commit string, modified bool, source string) {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if commit != "" {
			return short(commit), modified, "the binary's build stamp"
		}
	}
	if root == "" {
		return "", false, ""
	}
	out, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		return "", false, ""
	}
	commit = strings.TrimSpace(string(out))
	st, err := exec.CommandContext(ctx, "git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output()
	modified = err == nil && len(bytes.TrimSpace(st)) > 0
	return short(commit), modified, "git, in the source tree"
}

func short(commit string) string {
	if len(commit) > 7 {
		return commit[:7]
	}
	return commit
}

// repoRoot returns the nearest directory at or above dir that holds
// bench/peer/peer.py and a go.mod (spikego's source tree), or "".
func repoRoot(dir string) string {
	for {
		if fileExists(filepath.Join(dir, "go.mod")) && fileExists(filepath.Join(dir, PeerScript)) {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			return ""
		}
		dir = up
	}
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
