package benchrun

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spikego/spikego/dataset"
)

// PeerScript is the peer's path inside spikego's source tree.
const PeerScript = "bench/peer/peer.py"

// DefaultRuns is the number of runs of each program and setting.
const DefaultRuns = 3

// DefaultPeerThreads is the peer's number of torch threads.
const DefaultPeerThreads = 2

// Options says what Run measures. The zero value of a field means its
// default.
type Options struct {
	// Models to measure, in order (default: Models()).
	Models []string
	// Runs of each program and setting (default DefaultRuns).
	Runs int
	// TrainSamples per model (default: the protocol's), at most the
	// data's size.
	TrainSamples map[string]int
	// Data is a directory of Fashion-MNIST IDX files, "sample" for the
	// embedded sample, or "" for dataset.DefaultDir if it holds the data
	// and the embedded sample otherwise.
	Data string
	// SkipPeer measures spikego alone.
	SkipPeer bool
	// Python is the interpreter of the peer (default: the first of
	// /usr/bin/python3, Debian's, which has torch from python3-torch,
	// and python3 on PATH that imports torch).
	Python string
	// PeerScript is the peer's path (default: PeerScript in the source
	// tree that holds Dir).
	PeerScript string
	// PeerThreads is the peer's number of torch threads (default
	// DefaultPeerThreads).
	PeerThreads int
	// Worker is the command, before its flags, that runs spikego's side
	// of one measurement (WorkerMain) in a new process, for example the
	// spikego binary followed by "bench" and WorkerFlag. Required.
	Worker []string
	// Dir is where the source tree is looked for, upwards (default: the
	// working directory).
	Dir string
	// Log receives a line per run; nil discards them.
	Log io.Writer
}

// pythonCandidates are the interpreters tried for the peer without
// Options.Python: Debian's (the python3 on PATH may be another one,
// without torch), then the one on PATH.
var pythonCandidates = []string{"/usr/bin/python3", "python3"}

// column is a program and setting that is run.
type column struct{ program, setting string }

// Run measures spikego, and the peer where it can, on each model, and
// returns the report. It fails if a spikego run fails; a failing peer
// ends the peer's runs, which the report then notes. Cancelling ctx
// stops the running process and returns ctx's error.
func Run(ctx context.Context, o Options) (*Report, error) {
	if len(o.Models) == 0 {
		o.Models = Models()
	}
	if err := validModels(o.Models); err != nil {
		return nil, err
	}
	if o.Runs == 0 {
		o.Runs = DefaultRuns
	}
	if o.PeerThreads == 0 {
		o.PeerThreads = DefaultPeerThreads
	}
	switch {
	case o.Runs < 1:
		return nil, fmt.Errorf("benchrun: runs must be at least 1, got %d", o.Runs)
	case o.PeerThreads < 1:
		return nil, fmt.Errorf("benchrun: peer threads must be at least 1, got %d", o.PeerThreads)
	case len(o.Worker) == 0:
		return nil, errors.New("benchrun: no worker command for spikego")
	}
	for m, n := range o.TrainSamples {
		if _, err := ProtocolOf(m); err != nil {
			return nil, fmt.Errorf("benchrun: training samples: %w", err)
		}
		if n < 0 {
			return nil, fmt.Errorf("benchrun: training samples of %s must not be negative, got %d", m, n)
		}
	}
	logf := func(format string, args ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", args...)
		}
	}
	dir := o.Dir
	if dir == "" {
		var err error
		if dir, err = os.Getwd(); err != nil {
			return nil, fmt.Errorf("benchrun: %w", err)
		}
	}
	root := repoRoot(dir)

	rep := &Report{
		Date: time.Now().UTC().Truncate(time.Second), NumCPU: runtime.NumCPU(), CPU: cpuModel(ctx), CPUFeatures: cpuFeatures(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH, Go: runtime.Version(), Models: o.Models, Runs: o.Runs,
		TrainSamples: map[string]int{}, Protocols: map[string]Protocol{},
	}
	rep.Commit, rep.Modified, rep.CommitSource = commitOf(ctx, root)

	data, err := resolveData(o.Data)
	if err != nil {
		return nil, err
	}
	rep.Data, rep.Sample, rep.DataNote, rep.TestSamples = data.name, data.sample, data.note, data.testN
	for _, m := range o.Models {
		p, _ := ProtocolOf(m)
		rep.Protocols[m] = p
		n := p.TrainSamples
		if v := o.TrainSamples[m]; v > 0 {
			n = v
		}
		if n > data.trainN {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s: %d training images asked, the data holds %d: all of them are used", m, n, data.trainN))
			n = data.trainN
		}
		rep.TrainSamples[m] = n
	}

	tmp, err := os.MkdirTemp("", "spikego-bench-")
	if err != nil {
		return nil, fmt.Errorf("benchrun: %w", err)
	}
	defer os.RemoveAll(tmp)

	var py string
	switch {
	case o.SkipPeer:
		rep.PeerMissing = "not run (skipped on request)"
	default:
		rep.Peer, py, rep.PeerMissing = findPeer(ctx, o, root)
	}
	peerData := data.dir
	if rep.Peer != nil && data.sample {
		peerData = filepath.Join(tmp, "data")
		if err := writeSample(peerData); err != nil {
			return nil, err
		}
	}

	cols := []column{{Spikego, ""}}
	if rep.Peer != nil {
		cols = append(cols, column{Peer, SettingPassive}, column{Peer, SettingDefault})
	}
	if l, ok := loadAvg(); ok {
		rep.LoadStart = &l
	}
	total, done := len(o.Models)*o.Runs*len(cols), 0
	for _, m := range o.Models {
		p := rep.Protocols[m]
		for run := 1; run <= o.Runs; run++ {
			for _, c := range cols {
				if c.program == Peer && rep.PeerMissing != "" {
					continue
				}
				done++
				var rec Record
				var err error
				switch c.program {
				case Spikego:
					argv := append(slices.Clone(o.Worker), "-model", m, "-train-samples", strconv.Itoa(rep.TrainSamples[m]), "-data", data.arg)
					rec, err = measure(ctx, argv, os.Environ(), "", p)
					if err != nil {
						return nil, fmt.Errorf("benchrun: spikego, %s, run %d: %w", m, run, err)
					}
				case Peer:
					out := filepath.Join(tmp, fmt.Sprintf("peer-%s-%s-%d.json", m, c.setting, run))
					argv := []string{py, o.peerScript(root), "--model", m, "--train-samples", strconv.Itoa(rep.TrainSamples[m]),
						"--threads", strconv.Itoa(o.PeerThreads), "--data", peerData, "--json", out}
					rec, err = measure(ctx, argv, peerEnv(os.Environ(), c.setting), out, p)
					if ctx.Err() != nil {
						return nil, ctx.Err()
					}
					if err != nil {
						rep.PeerMissing = fmt.Sprintf("the peer failed (%s, %s, run %d), and was not run further: %v", m, c.setting, run, err)
						logf("[%d/%d] %s", done, total, rep.PeerMissing)
						continue
					}
				}
				rec.Program, rec.Setting, rec.Model, rec.Run = c.program, c.setting, m, run
				rep.Records = append(rep.Records, rec)
				logf("[%d/%d] %s %s run %d: train %.0f samples/s, inference %.0f samples/s, test acc %.2f%%, peak RSS %.0f MB, %.1f s%s",
					done, total, m, rec.Column(), run, rec.TrainSamplesPerS, rec.InferSamplesPerS, 100*rec.TestAcc, rec.PeakRSSMB, rec.WallS, otherNote(rec.OtherCPU))
			}
		}
	}
	if l, ok := loadAvg(); ok {
		rep.LoadEnd = &l
	}
	return rep, nil
}

func otherNote(other *float64) string {
	if other == nil {
		return ""
	}
	return fmt.Sprintf(", other processes %.2f CPUs", *other)
}

// peerScript returns the peer's path: Options.PeerScript, or the one in
// the source tree.
func (o Options) peerScript(root string) string {
	if o.PeerScript != "" {
		return o.PeerScript
	}
	return filepath.Join(root, PeerScript)
}

// findPeer finds the peer script and an interpreter that imports torch.
// Without them it returns the reason.
func findPeer(ctx context.Context, o Options, root string) (info *PeerInfo, python, missing string) {
	script := o.PeerScript
	if script == "" {
		if root == "" {
			return nil, "", "not run: " + PeerScript + " not found (run spikego bench inside spikego's source tree, or give -peer)"
		}
		script = filepath.Join(root, PeerScript)
	}
	if !fileExists(script) {
		return nil, "", fmt.Sprintf("not run: the peer script %s does not exist", script)
	}
	shown := script
	if root != "" {
		if rel, err := filepath.Rel(root, script); err == nil && !strings.HasPrefix(rel, "..") {
			shown = filepath.ToSlash(rel)
		}
	}
	candidates := pythonCandidates
	if o.Python != "" {
		candidates = []string{o.Python}
	}
	var why []string
	seen := map[string]bool{}
	for _, c := range candidates {
		path, err := exec.LookPath(c)
		if err != nil {
			why = append(why, fmt.Sprintf("%s: not found", c))
			continue
		}
		if abs, err := filepath.Abs(path); err == nil {
			if r, err := filepath.EvalSymlinks(abs); err == nil {
				abs = r
			}
			if seen[abs] {
				continue
			}
			seen[abs] = true
		}
		torch, version, err := probePython(ctx, path)
		if err != nil {
			why = append(why, fmt.Sprintf("%s: %v", c, err))
			continue
		}
		return &PeerInfo{Python: c, Script: shown, Torch: torch, PythonVersion: version, Threads: o.PeerThreads}, path, ""
	}
	return nil, "", "not run: no Python with torch and numpy (" + strings.Join(why, "; ") + ")"
}

// probePython returns the versions of torch and Python that python has,
// or why it cannot run the peer.
func probePython(ctx context.Context, python string) (torch, version string, err error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute) // importing torch on a loaded machine is slow
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", "import sys, numpy, torch; print(torch.__version__); print(sys.version.split()[0])")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := lastLine(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", "", fmt.Errorf("cannot import torch and numpy: %s", msg)
	}
	f := strings.Fields(string(out))
	if len(f) != 2 {
		return "", "", fmt.Errorf("unexpected answer to the version probe: %q", out)
	}
	return f[0], f[1], nil
}

// peerEnv returns env for the peer in setting: without OMP_WAIT_POLICY,
// or with OMP_WAIT_POLICY=PASSIVE.
func peerEnv(env []string, setting string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, "OMP_WAIT_POLICY=") {
			out = append(out, kv)
		}
	}
	if setting == SettingPassive {
		out = append(out, "OMP_WAIT_POLICY=PASSIVE")
	}
	return out
}

// measure runs argv with env, reads its result (from stdout, or from the
// file resultFile), and returns the run's figures under protocol p.
func measure(ctx context.Context, argv, env []string, resultFile string, p Protocol) (Record, error) {
	var rec Record
	if l, ok := loadAvg(); ok {
		rec.LoadAvg = &l
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	busy0, okBusy := busyCPUSeconds()
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start).Seconds()
	busy1, okBusy1 := busyCPUSeconds()
	if err != nil {
		if ctx.Err() != nil {
			return rec, ctx.Err()
		}
		return rec, fmt.Errorf("%s: %w: %s", filepath.Base(argv[0]), err, lastLine(stderr.String()))
	}
	rec.WallS = wall
	if rss, ok := peakRSSMB(cmd.ProcessState); ok {
		rec.PeakRSSMB = rss
	}
	if okBusy && okBusy1 && wall > 0 {
		own := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
		other := max(0, (busy1-busy0-own)/wall)
		rec.OtherCPU = &other
	}
	result := stdout.Bytes()
	what := "the result on stdout"
	if resultFile != "" {
		what = resultFile
		if result, err = os.ReadFile(resultFile); err != nil {
			return rec, fmt.Errorf("reading the result: %w", err)
		}
	}
	var raw rawRun
	if err := json.Unmarshal(result, &raw); err != nil {
		return rec, fmt.Errorf("%s: %w", what, err)
	}
	if err := raw.check(what); err != nil {
		return rec, err
	}
	if raw.Batch != p.Batch {
		return rec, fmt.Errorf("%s: batch size %d, want %d", what, raw.Batch, p.Batch)
	}
	rec.TrainSamples, rec.TestSamples, rec.TestAcc = raw.TrainSamples, raw.TestSamples, raw.TestAcc
	rec.Threads = max(raw.GoMaxProcs, raw.Threads)
	rec.TrainWindowRates = WindowRates(raw.TrainStepSizes, raw.TrainStepTimes, p.Warmup, p.Window, p.Batch)
	rec.TrainSamplesPerS = Median(rec.TrainWindowRates)
	rec.TrainAvgSamplesPerS = AverageRate(raw.TrainStepSizes, raw.TrainStepTimes)
	rec.InferWindowRates = WindowRates(raw.InferBatchSizes, raw.InferBatchTimes, p.InferWarmup, p.InferWindow, p.Batch)
	rec.InferSamplesPerS = Median(rec.InferWindowRates)
	rec.InferAvgSamplesPerS = AverageRate(raw.InferBatchSizes, raw.InferBatchTimes)
	if len(rec.TrainWindowRates) == 0 || len(rec.InferWindowRates) == 0 {
		return rec, fmt.Errorf("%s: no positive step durations", what)
	}
	return rec, nil
}

// lastLine returns the last non-empty line of s, where a program's error
// usually is.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// dataSource is the data both programs use.
type dataSource struct {
	// arg is the worker's -data: a directory or "sample"; dir the
	// peer's --data (empty for the sample until it is written out).
	arg, dir string
	name     string
	sample   bool
	note     string // why the sample is used
	trainN   int
	testN    int
}

// resolveData picks the data as Options.Data says.
func resolveData(arg string) (dataSource, error) {
	var d dataSource
	var tr, te *dataset.Set
	var err error
	switch arg {
	case "sample":
		d.arg, d.sample, d.note = "sample", true, "asked for"
	case "":
		d.arg, d.dir = dataset.DefaultDir, dataset.DefaultDir
		tr, err = dataset.Load(dataset.DefaultDir, dataset.Train)
		if errors.Is(err, fs.ErrNotExist) {
			d.arg, d.dir, d.sample = "sample", "", true
			d.note = "Fashion-MNIST is not installed in " + dataset.DefaultDir
		} else if err != nil {
			return d, fmt.Errorf("benchrun: %w", err)
		}
	default:
		d.arg, d.dir = arg, arg
	}
	open := dataset.Load
	if d.sample {
		open = func(_ string, s dataset.Split) (*dataset.Set, error) { return dataset.Sample(s) }
	}
	if tr == nil {
		if tr, err = open(d.dir, dataset.Train); err != nil {
			return d, fmt.Errorf("benchrun: %w", err)
		}
	}
	if te, err = open(d.dir, dataset.Test); err != nil {
		return d, fmt.Errorf("benchrun: %w", err)
	}
	d.name, d.trainN, d.testN = tr.Name, tr.N, te.N
	if !d.sample {
		d.name = fmt.Sprintf("fashion-mnist (%s)", d.dir)
	}
	return d, nil
}

// writeSample writes the embedded sample into dir as gzip-compressed IDX
// files under Fashion-MNIST's names, for the peer.
func writeSample(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("benchrun: %w", err)
	}
	for _, s := range []struct {
		split  dataset.Split
		prefix string
	}{{dataset.Train, "train"}, {dataset.Test, "t10k"}} {
		set, err := dataset.Sample(s.split)
		if err != nil {
			return fmt.Errorf("benchrun: %w", err)
		}
		files := []struct {
			name string
			dims []int
			data []uint8
		}{
			{s.prefix + "-images-idx3-ubyte.gz", []int{set.N, set.Rows, set.Cols}, set.Images},
			{s.prefix + "-labels-idx1-ubyte.gz", []int{set.N}, set.Labels},
		}
		for _, f := range files {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			if err := dataset.WriteIDX(zw, f.dims, f.data); err != nil {
				return fmt.Errorf("benchrun: writing the sample for the peer: %w", err)
			}
			if err := zw.Close(); err != nil {
				return fmt.Errorf("benchrun: writing the sample for the peer: %w", err)
			}
			if err := os.WriteFile(filepath.Join(dir, f.name), b.Bytes(), 0o644); err != nil {
				return fmt.Errorf("benchrun: writing the sample for the peer: %w", err)
			}
		}
	}
	return nil
}
