package main

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseTrainSamples(t *testing.T) {
	models := []string{"mlp", "cnn"}
	for _, tc := range []struct {
		in   string
		want map[string]int
		err  string
	}{
		{"", map[string]int{}, ""},
		{"5000", map[string]int{"mlp": 5000, "cnn": 5000}, ""},
		{"mlp=60000, cnn=10000", map[string]int{"mlp": 60000, "cnn": 10000}, ""},
		{"cnn=640", map[string]int{"cnn": 640}, ""},
		{"0", nil, "at least 1"},
		{"mlp=0", nil, "at least 1"},
		{"resnet=5", nil, `unknown model "resnet"`},
		{"mlp:5", nil, "neither a number nor model=n"},
		{"mlp=many", nil, "whole number"},
	} {
		got, err := parseTrainSamples(tc.in, models)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
		case tc.err == "" && (err != nil || !maps.Equal(got, tc.want)):
			t.Errorf("%q: got %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestBenchUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "-runs", "0"}, "--runs must be at least 1"},
		{[]string{"bench", "-models", "resnet"}, `unknown model "resnet"`},
		{[]string{"bench", "-models", ","}, "no model given"},
		{[]string{"bench", "-peer-threads", "0"}, "--peer-threads must be at least 1"},
		{[]string{"bench", "-train-samples", "mlp=x"}, "whole number"},
		{[]string{"bench", "extra"}, "unexpected arguments"},
	} {
		code, _, stderr := runCmd(tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	if code, stdout, _ := runCmd("help", "bench"); code != 0 || !strings.Contains(stdout, "-skip-peer") {
		t.Errorf("help bench: exit %d\n%s", code, stdout)
	}
}

// TestBenchSpikegoOnly runs "spikego bench" as a process on a slice of the
// embedded sample, without a Python: it must measure spikego in its own
// worker processes and say that the peer was not run.
func TestBenchSpikegoOnly(t *testing.T) {
	needProcesses(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "results")
	cmd := spikego("bench", "-models", "mlp", "-runs", "2", "-train-samples", "256", "-data", "sample",
		"-python", filepath.Join(dir, "no-python"), "-out", out)
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	for _, want := range []string{
		"**spikego only**: the PyTorch peer was not run", "no-python: not found",
		"embedded sample (4000 train / 1000 test images) (asked for)", "Training images: mlp 256",
		"| train samples/s, after warm-up |", "[1/2] mlp spikego run 1", "[2/2] mlp spikego run 2",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("output lacks %q:\n%s", want, b)
		}
	}
	for _, f := range []string{"results.json", "table.md"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("-out: %v", err)
		}
	}
}
