package cpu

import (
	"os"
	"runtime"
	"strings"
	"testing"
)

// TestMatchesProcCPUInfo compares the detected features with the flags
// the Linux kernel reports, where /proc/cpuinfo exists.
func TestMatchesProcCPUInfo(t *testing.T) {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil || runtime.GOARCH != "amd64" {
		t.Skip("no /proc/cpuinfo on amd64 to compare with")
	}
	var flags map[string]bool
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "flags" {
			flags = map[string]bool{}
			for _, f := range strings.Fields(v) {
				flags[f] = true
			}
			break
		}
	}
	if flags == nil {
		t.Skip("no flags line in /proc/cpuinfo")
	}
	f := X86()
	for _, c := range []struct {
		name string
		got  bool
	}{{"avx2", f.AVX2}, {"fma", f.FMA}, {"avx512f", f.AVX512F}} {
		if c.got != flags[c.name] {
			t.Errorf("%s: detected %v, /proc/cpuinfo says %v", c.name, c.got, flags[c.name])
		}
	}
}
