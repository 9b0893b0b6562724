package benchrun

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/spikego/spikego/dataset"
)

// With fakeEnv set, the test binary plays the programs that Run starts:
// "worker" (spikego's worker), "-c" (Python's version probe) or a script
// path (the peer). The fakes report fixed durations, so that every figure
// of the report is known in advance.
const fakeEnv = "BENCHRUN_FAKE"

func TestMain(m *testing.M) {
	if os.Getenv(fakeEnv) != "" {
		os.Exit(fake(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// The fakes' throughputs after warm-up, in samples per second; every
// warm-up batch takes one second.
const (
	fakeSpikegoTrain, fakeSpikegoInfer = 12800, 51200
	fakePassiveTrain, fakePassiveInfer = 3200, 12800
	fakeDefaultTrain, fakeDefaultInfer = 1600, 6400
	fakeTestN                          = 1000
)

func fake(args []string) int {
	switch {
	case len(args) > 0 && args[0] == "-c":
		if os.Getenv("BENCHRUN_FAKE_NO_TORCH") != "" {
			fmt.Fprintln(os.Stderr, "Traceback (most recent call last):\nModuleNotFoundError: No module named 'torch'")
			return 1
		}
		fmt.Println("1.13.0")
		fmt.Println("3.11.2")
		return 0
	case len(args) > 0 && args[0] == "worker":
		if os.Getenv("BENCHRUN_FAKE_WORKER_FAIL") != "" {
			fmt.Fprintln(os.Stderr, "spikego: boom")
			return 1
		}
		return fakeRun(args[1:], fakeSpikegoTrain, fakeSpikegoInfer, 0.5)
	case len(args) > 0:
		switch p := os.Getenv("OMP_WAIT_POLICY"); p {
		case "PASSIVE":
			return fakeRun(args[1:], fakePassiveTrain, fakePassiveInfer, 0.6)
		case "":
			return fakeRun(args[1:], fakeDefaultTrain, fakeDefaultInfer, 0.6)
		default:
			fmt.Fprintf(os.Stderr, "OMP_WAIT_POLICY=%s reached the peer\n", p)
			return 1
		}
	}
	fmt.Fprintln(os.Stderr, "fake: no arguments")
	return 1
}

// fakeRun reads the worker's or the peer's flags and reports a run with
// warm-up batches of one second and the given rates after them, on stdout
// (worker) or into --json (peer).
func fakeRun(args []string, train, infer, acc float64) int {
	fs := flag.NewFlagSet("fake", flag.ContinueOnError)
	model := fs.String("model", "", "")
	n := fs.Int("train-samples", 0, "")
	data := fs.String("data", "", "")
	threads := fs.Int("threads", 0, "")
	out := fs.String("json", "", "")
	if err := fs.Parse(args); err != nil {
		return 1
	}
	if *out != "" {
		if *model == os.Getenv("BENCHRUN_FAKE_PEER_FAIL") {
			fmt.Fprintln(os.Stderr, "RuntimeError: out of memory")
			return 1
		}
		// The peer must get the sample written out, and 2 threads.
		set, err := dataset.Load(*data, dataset.Train)
		if err != nil || set.N != dataset.SampleTrainN || *threads != 2 {
			fmt.Fprintf(os.Stderr, "peer got --data %s (%v) and --threads %d\n", *data, err, *threads)
			return 1
		}
	} else if *data != "sample" {
		fmt.Fprintf(os.Stderr, "worker got -data %q\n", *data)
		return 1
	}
	batch := map[string]int{"mlp": 128, "cnn": 64}[*model]
	warm := map[string]int{"mlp": 10, "cnn": 5}[*model]
	steps := func(total, warmup int, rate float64) (sizes []int, secs []float64) {
		for i := 0; i*batch < total; i++ {
			size := min(batch, total-i*batch)
			sec := float64(size) / rate
			if i < warmup {
				sec = 1
			}
			sizes, secs = append(sizes, size), append(secs, sec)
		}
		return sizes, secs
	}
	r := rawRun{Model: *model, Batch: batch, TrainSamples: *n, TestSamples: fakeTestN, TestAcc: acc}
	r.TrainStepSizes, r.TrainStepTimes = steps(*n, warm, train)
	r.InferBatchSizes, r.InferBatchTimes = steps(fakeTestN, 3, infer)
	b, err := json.Marshal(r)
	if err != nil {
		return 1
	}
	if *out == "" {
		os.Stdout.Write(b)
		return 0
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return 1
	}
	return 0
}

// fakeOptions returns options that run the fakes on the sample.
func fakeOptions(t *testing.T) Options {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fakes are run as processes of a Unix system")
	}
	t.Setenv(fakeEnv, "1")
	dir := t.TempDir()
	script := filepath.Join(dir, "peer.py")
	if err := os.WriteFile(script, []byte("# fake\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return Options{
		Models: []string{"mlp"}, Runs: 1, TrainSamples: map[string]int{"mlp": 1920, "cnn": 640}, Data: "sample",
		Python: os.Args[0], PeerScript: script, Worker: []string{os.Args[0], "worker"}, Dir: dir,
	}
}

func near(got, want float64) bool { return math.Abs(got-want) <= 1e-9*math.Abs(want) }

func TestRunWithFakePeer(t *testing.T) {
	o := fakeOptions(t)
	o.Models, o.Runs = []string{"mlp", "cnn"}, 2
	t.Setenv("OMP_WAIT_POLICY", "ACTIVE") // the default setting must not pass it on
	var log strings.Builder
	o.Log = &log
	rep, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Peer == nil || rep.PeerMissing != "" {
		t.Fatalf("peer not run: %q", rep.PeerMissing)
	}
	if rep.Peer.Torch != "1.13.0" || rep.Peer.PythonVersion != "3.11.2" || rep.Peer.Threads != 2 {
		t.Errorf("peer info %+v", rep.Peer)
	}
	if !rep.Sample || rep.TestSamples != dataset.SampleTestN || rep.TrainSamples["mlp"] != 1920 || rep.TrainSamples["cnn"] != 640 {
		t.Errorf("data %q sample %v, test %d, train %v", rep.Data, rep.Sample, rep.TestSamples, rep.TrainSamples)
	}
	// The runs take turns: spikego, peer PASSIVE, peer default, for each
	// run of each model.
	var order []string
	for _, r := range rep.Records {
		order = append(order, fmt.Sprintf("%s %s %d", r.Model, r.Column(), r.Run))
	}
	wantOrder := "mlp spikego 1, mlp peer PASSIVE 1, mlp peer default 1, mlp spikego 2, mlp peer PASSIVE 2, mlp peer default 2, " +
		"cnn spikego 1, cnn peer PASSIVE 1, cnn peer default 1, cnn spikego 2, cnn peer PASSIVE 2, cnn peer default 2"
	if got := strings.Join(order, ", "); got != wantOrder {
		t.Errorf("order:\n%s\nwant:\n%s", got, wantOrder)
	}
	rates := map[string][2]float64{
		"spikego":      {fakeSpikegoTrain, fakeSpikegoInfer},
		"peer PASSIVE": {fakePassiveTrain, fakePassiveInfer},
		"peer default": {fakeDefaultTrain, fakeDefaultInfer},
	}
	for _, r := range rep.Records {
		want := rates[r.Column()]
		// After warm-up only the fast batches count; the whole run has
		// the warm-up seconds too: mlp 10 s + 1920/rate, cnn 5 s + 640/rate
		// (by hand from the fakes).
		wantAvg := 1920 / (10 + 640/want[0])
		if r.Model == "cnn" {
			wantAvg = 640 / (5 + 320/want[0])
		}
		if !near(r.TrainSamplesPerS, want[0]) || !near(r.InferSamplesPerS, want[1]) || !near(r.TrainAvgSamplesPerS, wantAvg) {
			t.Errorf("%s %s run %d: train %v (whole run %v), inference %v; want %v (%v), %v",
				r.Model, r.Column(), r.Run, r.TrainSamplesPerS, r.TrainAvgSamplesPerS, r.InferSamplesPerS, want[0], wantAvg, want[1])
		}
		if runtime.GOOS == "linux" && r.PeakRSSMB <= 0 {
			t.Errorf("%s %s: peak RSS %v", r.Model, r.Column(), r.PeakRSSMB)
		}
		if r.WallS <= 0 {
			t.Errorf("%s %s: wall time %v", r.Model, r.Column(), r.WallS)
		}
	}
	md := rep.Markdown()
	for _, want := range []string{
		"| train samples/s, after warm-up | 12,800 | 3,200 | 1,600 | 4.00x |",
		"| inference samples/s, after warm-up | 51,200 | 12,800 | 6,400 | 4.00x |",
		"| test accuracy | 50.00% | 60.00% | 60.00% |  |",
		"| **cnn**, 640 training images |",
		"embedded sample (4000 train / 1000 test images) (asked for)",
		"PyTorch 1.13.0 on Python 3.11.2, 2 threads",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the table lacks %q:\n%s", want, md)
		}
	}
	if n := strings.Count(log.String(), "\n"); n != 12 {
		t.Errorf("log has %d lines, want one per run (12):\n%s", n, log.String())
	}
}

func TestRunWithoutPeer(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, o *Options)
		want  string
	}{
		{"no python", func(t *testing.T, o *Options) { o.Python = filepath.Join(t.TempDir(), "python3") }, "python3: not found"},
		{"no torch", func(t *testing.T, o *Options) { t.Setenv("BENCHRUN_FAKE_NO_TORCH", "1") }, "No module named 'torch'"},
		{"no script", func(t *testing.T, o *Options) { o.PeerScript = filepath.Join(t.TempDir(), "peer.py") }, "does not exist"},
		{"no source tree", func(t *testing.T, o *Options) { o.PeerScript = "" }, "not found (run spikego bench inside spikego's source tree"},
		{"skipped", func(t *testing.T, o *Options) { o.SkipPeer = true }, "skipped on request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := fakeOptions(t)
			tc.setup(t, &o)
			rep, err := Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Peer != nil || !strings.Contains(rep.PeerMissing, tc.want) {
				t.Errorf("peer %+v, missing %q; want it missing because %q", rep.Peer, rep.PeerMissing, tc.want)
			}
			if len(rep.Records) != 1 || rep.Records[0].Program != Spikego || !near(rep.Records[0].TrainSamplesPerS, fakeSpikegoTrain) {
				t.Errorf("records %+v, want spikego's run alone", rep.Records)
			}
			md := rep.Markdown()
			if !strings.Contains(md, "**spikego only**") || !strings.Contains(md, tc.want) || strings.Contains(md, "peer PASSIVE") {
				t.Errorf("the table does not say that it holds spikego alone, and why:\n%s", md)
			}
			if !strings.Contains(md, "| train samples/s, after warm-up | 12,800 |\n") {
				t.Errorf("the table lacks spikego's figure:\n%s", md)
			}
		})
	}
}

func TestRunPeerFailsMidway(t *testing.T) {
	o := fakeOptions(t)
	o.Models = []string{"mlp", "cnn"}
	t.Setenv("BENCHRUN_FAKE_PEER_FAIL", "cnn")
	rep, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, r := range rep.Records {
		cols = append(cols, r.Model+" "+r.Column())
	}
	if got, want := strings.Join(cols, ", "), "mlp spikego, mlp peer PASSIVE, mlp peer default, cnn spikego"; got != want {
		t.Errorf("runs %s, want %s", got, want)
	}
	if !strings.Contains(rep.PeerMissing, "cnn, PASSIVE, run 1") || !strings.Contains(rep.PeerMissing, "RuntimeError: out of memory") {
		t.Errorf("PeerMissing %q does not say which run failed and why", rep.PeerMissing)
	}
	md := rep.Markdown()
	for _, want := range []string{"**Peer incomplete**", "| train samples/s, after warm-up | 12,800 | – | – | – |"} {
		if !strings.Contains(md, want) {
			t.Errorf("the table lacks %q:\n%s", want, md)
		}
	}
}

func TestRunErrors(t *testing.T) {
	o := fakeOptions(t)
	t.Setenv("BENCHRUN_FAKE_WORKER_FAIL", "1")
	if _, err := Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("a failing spikego worker: error %v, want its message", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"runs", func(o *Options) { o.Runs = -1 }, "runs must be at least 1"},
		{"unknown model", func(o *Options) { o.Models = []string{"resnet"} }, `unknown model "resnet"`},
		{"model twice", func(o *Options) { o.Models = []string{"mlp", "mlp"} }, "given twice"},
		{"no worker", func(o *Options) { o.Worker = nil }, "no worker command"},
		{"negative samples", func(o *Options) { o.TrainSamples = map[string]int{"cnn": -5} }, "must not be negative"},
		{"bad data", func(o *Options) { o.Data = filepath.Join(t.TempDir(), "none") }, "none"},
	} {
		o := fakeOptions(t)
		tc.edit(&o)
		if _, err := Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestRunLimitsTrainSamplesToTheData(t *testing.T) {
	o := fakeOptions(t)
	o.TrainSamples = map[string]int{"mlp": 60000}
	o.SkipPeer = true
	rep, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.TrainSamples["mlp"] != dataset.SampleTrainN || len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "60000 training images asked, the data holds 4000") {
		t.Errorf("train samples %v, notes %q", rep.TrainSamples, rep.Notes)
	}
}

func TestPeerEnv(t *testing.T) {
	env := []string{"A=1", "OMP_WAIT_POLICY=ACTIVE", "B=2"}
	if got := strings.Join(peerEnv(env, SettingDefault), " "); got != "A=1 B=2" {
		t.Errorf("default: %s", got)
	}
	if got := strings.Join(peerEnv(env, SettingPassive), " "); got != "A=1 B=2 OMP_WAIT_POLICY=PASSIVE" {
		t.Errorf("PASSIVE: %s", got)
	}
}

func TestWriteFiles(t *testing.T) {
	o := fakeOptions(t)
	rep, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	paths, err := rep.WriteFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 {
		t.Fatalf("wrote %v", paths)
	}
	b, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Records) != 3 || back.Markdown() != rep.Markdown() {
		t.Errorf("results.json does not hold the report: %d records\n%s", len(back.Records), back.Markdown())
	}
	md, err := os.ReadFile(filepath.Join(dir, "table.md"))
	if err != nil || string(md) != rep.Markdown() {
		t.Errorf("table.md: %v\n%s", err, md)
	}
}
