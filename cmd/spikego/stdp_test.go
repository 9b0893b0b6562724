package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spikego/spikego/internal/rundir"
	"github.com/spikego/spikego/safetensors"
)

// tinySTDP is a configuration of a few seconds on the embedded sample.
var tinySTDP = []string{"--data", "sample", "--quiet", "--neurons", "60", "--channels", "4", "--t1", "12", "--t2", "20",
	"--batch", "200", "--p1-samples", "400", "--p2-samples", "600"}

func readMetricsLines(t *testing.T, dir string) []map[string]any {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("metrics line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

// TestSTDPOnSample runs spikego stdp on the embedded sample and checks the
// metrics lines, the figures and that a second run into the same
// directory without -resume is refused.
func TestSTDPOnSample(t *testing.T) {
	dir := t.TempDir()
	args := append([]string{"stdp", "--out", dir, "--p1-epochs", "1", "--p2-epochs", "2"}, tinySTDP...)
	code, stdout, stderr := runCmd(args...)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	ms := readMetricsLines(t, dir)
	if len(ms) != 3 {
		t.Fatalf("%d metrics lines, want 3 (1 + 2 epochs)", len(ms))
	}
	for i, want := range []struct{ phase, epoch float64 }{{1, 1}, {2, 1}, {2, 2}} {
		m := ms[i]
		if m["phase"] != want.phase || m["epoch"] != want.epoch {
			t.Errorf("line %d: phase %v epoch %v, want %v %v", i, m["phase"], m["epoch"], want.phase, want.epoch)
		}
		for _, k := range []string{"train_samples_per_s", "wall_s", "peak_rss_mb", "firing_rates"} {
			if _, ok := m[k]; !ok {
				t.Errorf("line %d lacks %s", i, k)
			}
		}
		if want.phase == 2 {
			for _, k := range []string{"train_acc", "test_acc", "neurons_per_label", "linear_firing_rate"} {
				if _, ok := m[k]; !ok {
					t.Errorf("line %d lacks %s", i, k)
				}
			}
			n := 0.0
			for _, v := range m["neurons_per_label"].([]any) {
				n += v.(float64)
			}
			if n != 60 {
				t.Errorf("line %d: %v neurons labelled, want 60", i, n)
			}
			if acc := m["test_acc"].(float64); acc <= 0.1 {
				t.Errorf("line %d: test accuracy %v, not above chance", i, acc)
			}
		}
	}
	for _, f := range []string{"checkpoint.safetensors", "filters.png", "receptive_fields.png", "confusion.png", "labels.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if code, _, stderr := runCmd(args...); code == 0 || !strings.Contains(stderr, "-resume") {
		t.Errorf("a second run into %s: exit %d, stderr %q; want a refusal naming -resume", dir, code, stderr)
	}
}

// stopAfter is a context that reports cancellation from its n-th check on.
type stopAfter struct {
	context.Context
	n int
}

func (s *stopAfter) Err() error {
	s.n--
	if s.n < 0 {
		return context.Canceled
	}
	return nil
}

// TestSTDPResume interrupts runs inside an epoch of each phase, resumes
// them, and checks that they end with the weights, thresholds, voting
// state and metrics of an uninterrupted run.
func TestSTDPResume(t *testing.T) {
	ref := t.TempDir()
	args := append([]string{"stdp", "--out", ref, "--p1-epochs", "2", "--p2-epochs", "2"}, tinySTDP...)
	if code, _, stderr := runCmd(args...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want, err := safetensors.ReadFile(filepath.Join(ref, "checkpoint.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	wantLines := readMetricsLines(t, ref)
	// Batches per epoch: phase 1 400/200 = 2, phase 2 600/200 = 3.
	for _, stopAt := range []int{1, 3, 5, 8} {
		dir := t.TempDir()
		cfg := stdpDefaults()
		cfg.Channels, cfg.Neurons, cfg.T1, cfg.T2, cfg.Batch = 4, 60, 12, 20, 200
		cfg.P1Epochs, cfg.P2Epochs, cfg.P1Samples, cfg.P2Samples = 2, 2, 400, 600
		d, err := loadData("sample", true)
		if err != nil {
			t.Fatal(err)
		}
		r, err := newSTDPRun(cfg, d, dir, io.Discard, io.Discard, true)
		if err != nil {
			t.Fatal(err)
		}
		if r.dir, err = rundir.Open(dir); err != nil {
			t.Fatal(err)
		}
		// Run batches until the context says stop, as Ctrl-C would.
		ctx := &stopAfter{Context: context.Background(), n: stopAt}
		for {
			epochs := cfg.P1Epochs
			if r.phase == 2 {
				epochs = cfg.P2Epochs
			}
			if r.epoch >= epochs {
				r.phase, r.epoch, r.batch = 2, 0, 0
				continue
			}
			done, err := r.runEpoch(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !done {
				break
			}
		}
		if err := r.save(); err != nil {
			t.Fatal(err)
		}
		r.dir.Close()
		var out bytes.Buffer
		resume := append([]string{"stdp", "--out", dir, "--p1-epochs", "2", "--p2-epochs", "2", "--resume"}, tinySTDP...)
		code := run(resume, &out, io.Discard)
		if code != 0 {
			t.Fatalf("stop at %d: resume exit %d: %s", stopAt, code, out.String())
		}
		got, err := safetensors.ReadFile(filepath.Join(dir, "checkpoint.safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"conv.weight", "linear.weight", "linear.threshold", "voting.rates", "voting.labels"} {
			a, _ := got.Get(name)
			b, _ := want.Get(name)
			if !slices.Equal(a.Data, b.Data) {
				t.Errorf("stop at %d: %s differs from the uninterrupted run", stopAt, name)
			}
		}
		lines := readMetricsLines(t, dir)
		if len(lines) != len(wantLines) {
			t.Fatalf("stop at %d: %d metrics lines, want %d", stopAt, len(lines), len(wantLines))
		}
		for i := range lines {
			for _, k := range []string{"phase", "epoch", "train_acc", "test_acc", "train_samples"} {
				if lines[i][k] != wantLines[i][k] {
					t.Errorf("stop at %d: line %d %s = %v, want %v", stopAt, i, k, lines[i][k], wantLines[i][k])
				}
			}
		}
	}
}

// TestSTDPMetricsFromCheckpoint checks that a resume rewrites
// metrics.jsonl from the checkpoint's history: a line lost (or added) by a
// crash between the checkpoint and the metrics file is restored (or
// dropped).
func TestSTDPMetricsFromCheckpoint(t *testing.T) {
	dir := t.TempDir()
	args := append([]string{"stdp", "--out", dir, "--p1-epochs", "1", "--p2-epochs", "0"}, tinySTDP...)
	if code, _, stderr := runCmd(args...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	path := filepath.Join(dir, "metrics.jsonl")
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, damaged := range []string{"", string(want) + `{"phase":2,"epoch":1}` + "\n"} {
		if err := os.WriteFile(path, []byte(damaged), 0o644); err != nil {
			t.Fatal(err)
		}
		resume := append([]string{"stdp", "--out", dir, "--p1-epochs", "1", "--p2-epochs", "0", "--resume"}, tinySTDP...)
		if code, _, stderr := runCmd(resume...); code != 0 {
			t.Fatalf("resume: exit %d: %s", code, stderr)
		}
		if got, _ := os.ReadFile(path); string(got) != string(want) {
			t.Errorf("metrics after resume:\n%s\nwant\n%s", got, want)
		}
	}
}

func TestSTDPUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"stdp", "--neurons", "0"},
		{"stdp", "--t1", "-1"},
		{"stdp", "--p2-samples", "-3"},
		{"stdp", "extra"},
	} {
		if code, _, _ := runCmd(args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestUseSmallSTDP(t *testing.T) {
	sample := "embedded sample (4000 train / 1000 test images)"
	for _, tc := range []struct {
		data, name  string
		sized, want bool
	}{
		{"", sample, false, true},
		{"", sample, true, false},
		{"sample", sample, false, false},
		{"", "fashion-mnist (/usr/share/datasets/fashion-mnist)", false, false},
	} {
		if got := useSmallSTDP(tc.data, tc.name, tc.sized); got != tc.want {
			t.Errorf("useSmallSTDP(%q, %q, %v) = %v", tc.data, tc.name, tc.sized, got)
		}
	}
}
