package main

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spikego/spikego/safetensors"
	"github.com/spikego/spikego/train"
)

// TestMain lets the tests run this test binary as the spikego command:
// with SPIKEGO_TEST_MAIN=1 it is spikego, taking its arguments.
func TestMain(m *testing.M) {
	if os.Getenv("SPIKEGO_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// spikego returns a command that runs spikego with args in a child
// process.
func spikego(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "SPIKEGO_TEST_MAIN=1")
	return cmd
}

func needProcesses(t *testing.T) {
	t.Helper()
	if testing.Short() || raceEnabled || runtime.GOOS == "windows" {
		t.Skip("process tests need a Unix system, and are left out of -short and -race runs")
	}
}

// killArgs is a small run that saves after every batch: 6 epochs of 6
// batches, so that random kills often land inside a save.
func killArgs(dir string) []string {
	return []string{"train", "--data", "sample", "--train-samples", "192", "--batch", "32", "--test-samples", "64",
		"--epochs", "6", "--seed", "7", "--save-every", "1ns", "--quiet", "--out", dir}
}

// tensorsOf returns the tensors of the checkpoint in dir by name.
func tensorsOf(t *testing.T, dir string) map[string][]float32 {
	t.Helper()
	f, err := safetensors.ReadFile(filepath.Join(dir, train.CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]float32{}
	for _, ts := range f.Tensors {
		out[ts.Name] = ts.Data
	}
	return out
}

// TestKillAndResume kills a real training process at random moments, with
// SIGKILL and now and then SIGINT, resumes it each time, and requires the
// final checkpoint to hold exactly the bits of an uninterrupted run, and
// metrics.jsonl exactly its epochs, whatever the moment of each kill.
func TestKillAndResume(t *testing.T) {
	needProcesses(t)
	ref := filepath.Join(t.TempDir(), "ref")
	start := time.Now()
	if out, err := spikego(killArgs(ref)...).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out)
	}
	whole := time.Since(start)
	want := tensorsOf(t, ref)
	wantMetrics, err := train.ReadMetrics(ref)
	if err != nil {
		t.Fatal(err)
	}

	// Kill runs until enough kills have landed: a run that finishes
	// between kills is checked and a new one started in a fresh directory.
	rng := rand.New(rand.NewPCG(1, 2))
	const wantKills, maxTries = 30, 60
	kills, ints, inSave, runs := 0, 0, 0, 0
	dir := ""
	for try := 0; try < maxTries && (kills < wantKills || dir != ""); try++ {
		if dir == "" {
			dir = filepath.Join(t.TempDir(), fmt.Sprintf("killed-%d", runs))
			runs++
		}
		args := killArgs(dir)
		if _, err := os.Stat(filepath.Join(dir, train.CheckpointFile)); err == nil {
			args = append(args, "--resume")
		}
		cmd := spikego(args...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		// Short delays: each attempt gets a little further, so most of
		// the tries end in a kill somewhere in the run.
		delay := time.Duration(rng.Float64() * float64(whole) / 10)
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("run %d exited with %v:\n%s", try, err, out.String())
			}
			checkFinished(t, dir, want, wantMetrics)
			dir = ""
			continue
		case <-time.After(delay):
		}
		sig := syscall.SIGKILL
		if try%5 == 4 {
			sig = syscall.SIGINT
		}
		cmd.Process.Signal(sig)
		err := <-exited
		if sig == syscall.SIGINT {
			ints++
			// Ctrl-C saves and exits 0, once the run has started; before
			// that, it ends the process by the signal, with nothing to lose.
			started := strings.Contains(out.String(), "spikego train: model")
			if err != nil && (started || !strings.Contains(err.Error(), "signal: interrupt")) {
				t.Fatalf("run %d after SIGINT: %v\n%s", try, err, out.String())
			}
			if started && err == nil && !strings.Contains(out.String(), "interrupted after") && !strings.Contains(out.String(), "done in") {
				t.Fatalf("run %d after SIGINT said:\n%s", try, out.String())
			}
			checkConsistent(t, dir)
			continue
		}
		kills++
		if temps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*")); len(temps) > 0 {
			inSave++
		}
		checkConsistent(t, dir)
	}
	if dir != "" {
		// The last run was interrupted: finish it without kills.
		if out, err := spikego(append(killArgs(dir), "--resume")...).CombinedOutput(); err != nil {
			t.Fatalf("final resume: %v\n%s", err, out)
		}
		checkFinished(t, dir, want, wantMetrics)
	}
	t.Logf("uninterrupted run %v; %d runs killed %d times (%d during a save) and interrupted %d times with Ctrl-C, each then finished with the uninterrupted run's bits",
		whole.Round(time.Millisecond), runs, kills, inSave, ints)
	if kills < wantKills {
		t.Fatalf("only %d kills in %d tries", kills, maxTries)
	}
}

// checkFinished requires a finished run in dir to hold exactly the
// checkpoint tensors and the epoch metrics of the uninterrupted run, its
// figures, and no temporary file.
func checkFinished(t *testing.T, dir string, want map[string][]float32, wantMetrics []train.EpochMetrics) {
	t.Helper()
	got := tensorsOf(t, dir)
	if len(got) != len(want) {
		t.Fatalf("checkpoint has %d tensors, the uninterrupted run's %d", len(got), len(want))
	}
	for name, w := range want {
		g := got[name]
		for i := range w {
			if math.Float32bits(g[i]) != math.Float32bits(w[i]) {
				t.Fatalf("%s[%d]: %v after kills, %v uninterrupted", name, i, g[i], w[i])
			}
		}
	}
	gotMetrics, err := train.ReadMetrics(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(gotMetrics) != len(wantMetrics) {
		t.Fatalf("metrics.jsonl has %d epochs, want %d", len(gotMetrics), len(wantMetrics))
	}
	for i, w := range wantMetrics {
		g := gotMetrics[i]
		if g.Epoch != w.Epoch || g.TrainLoss != w.TrainLoss || g.TrainAcc != w.TrainAcc || g.TestAcc != w.TestAcc || g.TrainSamples != w.TrainSamples || fmt.Sprint(g.FiringRates) != fmt.Sprint(w.FiringRates) {
			t.Errorf("epoch %d: %+v after kills, %+v uninterrupted", i+1, g, w)
		}
	}
	if temps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*")); len(temps) > 0 {
		t.Errorf("temporary files left behind: %v", temps)
	}
	for _, f := range []string{"curves.png", "raster.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s missing: %v", f, err)
		}
	}
}

// checkConsistent verifies the directory of a killed run: the checkpoint,
// if any, loads, and metrics.jsonl lists epochs 1..k for k at most the
// checkpoint's completed epochs (it may lag by one, never lead).
func checkConsistent(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, train.CheckpointFile)); err != nil {
		return
	}
	c, err := train.LoadCheckpoint(dir)
	if err != nil {
		t.Fatalf("checkpoint after a kill does not load: %v", err)
	}
	ms, err := train.ReadMetrics(dir)
	if err != nil {
		if os.IsNotExist(err) || strings.Contains(err.Error(), "no such file") {
			return
		}
		t.Fatalf("metrics after a kill: %v", err)
	}
	if len(ms) > c.Epoch {
		t.Fatalf("metrics.jsonl lists %d epochs, the checkpoint holds %d", len(ms), c.Epoch)
	}
	for i, m := range ms {
		if m.Epoch != i+1 {
			t.Fatalf("metrics.jsonl line %d is epoch %d", i+1, m.Epoch)
		}
	}
}

// TestSecondProcessIsLockedOut starts a long run and a second one into
// the same directory: the second must fail at once, naming the first.
func TestSecondProcessIsLockedOut(t *testing.T) {
	needProcesses(t)
	dir := filepath.Join(t.TempDir(), "run")
	first := spikego("train", "--data", "sample", "--epochs", "1000", "--quiet", "--out", dir)
	var out bytes.Buffer
	first.Stdout, first.Stderr = &out, &out
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		first.Process.Kill()
		first.Wait()
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "spikego train: model") {
		if time.Now().After(deadline) {
			t.Fatalf("the first run did not start:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	code, stdout, stderr := runCmd("train", "--data", "sample", "--model", "cnn", "--out", dir, "--overwrite")
	want := fmt.Sprintf("in use by another run (process %d)", first.Process.Pid)
	if code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("second run: exit %d, stdout %q, stderr %q; want exit 1 and %q", code, stdout, stderr, want)
	}
}
