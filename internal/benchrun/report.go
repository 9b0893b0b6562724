package benchrun

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// The programs and settings of a report's columns.
const (
	// Spikego is spikego, measured through its worker.
	Spikego = "spikego"
	// Peer is the PyTorch peer, bench/peer/peer.py.
	Peer = "peer"
	// SettingDefault runs the peer without OMP_WAIT_POLICY.
	SettingDefault = "default"
	// SettingPassive runs the peer with OMP_WAIT_POLICY=PASSIVE.
	SettingPassive = "PASSIVE"
)

// Report is the outcome of Run: where and on what it was measured, and
// every run's figures.
type Report struct {
	// Date is when the measurement began, in UTC.
	Date time.Time `json:"date"`
	// Commit is spikego's commit (abbreviated), "" if unknown;
	// Modified tells whether the tree had uncommitted changes to
	// tracked files, CommitSource where both were read.
	Commit       string `json:"commit"`
	Modified     bool   `json:"modified"`
	CommitSource string `json:"commit_source"`
	// CPU is the CPU's model name (lscpu), NumCPU the number of logical
	// CPUs, CPUFeatures the vector instructions spikego uses on it.
	CPU         string `json:"cpu"`
	NumCPU      int    `json:"ncpu"`
	CPUFeatures string `json:"cpu_features"`
	// Platform is GOOS/GOARCH, Go the Go version of the harness.
	Platform string `json:"platform"`
	Go       string `json:"go"`
	// LoadStart and LoadEnd are the 1, 5 and 15 minute load averages
	// before the first run and after the last (nil where unknown).
	LoadStart *[3]float64 `json:"loadavg_start,omitempty"`
	LoadEnd   *[3]float64 `json:"loadavg_end,omitempty"`
	// Data names the data (dataset.Set.Name); Sample tells whether it is
	// the embedded sample rather than Fashion-MNIST itself, DataNote why.
	Data     string `json:"data"`
	Sample   bool   `json:"embedded_sample"`
	DataNote string `json:"data_note,omitempty"`
	// TrainSamples is the number of training images of each model's
	// runs, TestSamples that of the test split (all of it).
	TrainSamples map[string]int `json:"train_samples"`
	TestSamples  int            `json:"test_samples"`
	// Models are the models measured, in order; Runs the number of runs
	// of each program and setting.
	Models []string `json:"models"`
	Runs   int      `json:"runs"`
	// Protocols are the warm-up and window settings of each model.
	Protocols map[string]Protocol `json:"protocols"`
	// Peer describes the PyTorch peer, nil if it was not run.
	Peer *PeerInfo `json:"peer,omitempty"`
	// PeerMissing says why the peer was not run, or why it stopped
	// (then the records hold its runs up to then).
	PeerMissing string `json:"peer_missing,omitempty"`
	// Notes are remarks on the measurement, such as a training sample
	// count reduced to the data's size.
	Notes []string `json:"notes,omitempty"`
	// Records holds every run, in the order they ran.
	Records []Record `json:"records"`
}

// PeerInfo describes the PyTorch peer that was run.
type PeerInfo struct {
	// Python is the interpreter, Script the peer (relative to the source
	// tree when it is inside it).
	Python string `json:"python"`
	Script string `json:"script"`
	// Torch and PythonVersion are the versions found.
	Torch         string `json:"torch"`
	PythonVersion string `json:"python_version"`
	// Threads is torch's number of threads (--threads of the peer).
	Threads int `json:"threads"`
}

// Record is one run of one program on one model.
type Record struct {
	// Program is Spikego or Peer; Setting, for the peer, SettingDefault
	// or SettingPassive.
	Program string `json:"program"`
	Setting string `json:"setting,omitempty"`
	Model   string `json:"model"`
	// Run counts the runs of this program, setting and model from 1.
	Run          int `json:"run"`
	TrainSamples int `json:"train_samples"`
	TestSamples  int `json:"test_samples"`
	// TrainSamplesPerS is the median of TrainWindowRates (warm-up left
	// out), TrainAvgSamplesPerS all samples over all step time (warm-up
	// included); the same for inference.
	TrainSamplesPerS    float64   `json:"train_samples_per_s"`
	TrainAvgSamplesPerS float64   `json:"train_avg_samples_per_s"`
	TrainWindowRates    []float64 `json:"train_window_rates"`
	InferSamplesPerS    float64   `json:"infer_samples_per_s"`
	InferAvgSamplesPerS float64   `json:"infer_avg_samples_per_s"`
	InferWindowRates    []float64 `json:"infer_window_rates"`
	TestAcc             float64   `json:"test_acc"`
	// Threads is spikego's GOMAXPROCS, or the peer's torch threads.
	Threads int `json:"threads"`
	// PeakRSSMB is the process' ru_maxrss in MiB, 0 where unknown.
	PeakRSSMB float64 `json:"peak_rss_mb"`
	// WallS is the process' wall time, start-up and data loading
	// included.
	WallS float64 `json:"wall_s"`
	// OtherCPU is the average number of CPUs that other processes used
	// while it ran (nil where unknown); LoadAvg the load averages when
	// it began.
	OtherCPU *float64    `json:"other_cpu,omitempty"`
	LoadAvg  *[3]float64 `json:"loadavg,omitempty"`
}

// Column names the program and setting of a record ("spikego", "peer
// PASSIVE").
func (r Record) Column() string {
	if r.Setting == "" {
		return r.Program
	}
	return r.Program + " " + r.Setting
}

// WriteFiles writes the report into dir (created if needed) as
// results.json and, as Markdown, table.md, replacing earlier ones, and
// returns their paths.
func (r *Report) WriteFiles(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("benchrun: %w", err)
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("benchrun: encoding the results: %w", err)
	}
	files := []struct {
		name string
		data []byte
	}{{"results.json", append(js, '\n')}, {"table.md", []byte(r.Markdown())}}
	var paths []string
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			return paths, fmt.Errorf("benchrun: %w", err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}
