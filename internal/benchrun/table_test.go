package benchrun

import (
	"strings"
	"testing"
	"time"
)

// rec builds a record with the figures of the table.
func rec(program, setting string, run int, train, trainAvg, infer, inferAvg, acc, rss, wall, other float64) Record {
	return Record{Program: program, Setting: setting, Model: "mlp", Run: run, TrainSamples: 60000, TestSamples: 10000,
		TrainSamplesPerS: train, TrainAvgSamplesPerS: trainAvg, InferSamplesPerS: infer, InferAvgSamplesPerS: inferAvg,
		TestAcc: acc, PeakRSSMB: rss, WallS: wall, OtherCPU: &other, Threads: 2}
}

func TestMarkdownWithPeer(t *testing.T) {
	r := &Report{
		Date: time.Date(2026, 11, 30, 9, 5, 0, 0, time.UTC), Commit: "abc1234", CPU: "Test CPU", NumCPU: 2,
		CPUFeatures: "AVX2, FMA", Platform: "linux/amd64", Go: "go1.26.0",
		LoadStart: &[3]float64{1.5, 1.25, 1}, LoadEnd: &[3]float64{1.75, 1.5, 1.125},
		Data: "fashion-mnist (DIR)", TrainSamples: map[string]int{"mlp": 60000}, TestSamples: 10000,
		Models: []string{"mlp"}, Runs: 3, Protocols: map[string]Protocol{"mlp": protocols["mlp"]},
		Peer: &PeerInfo{Python: "python3", Script: "bench/peer/peer.py", Torch: "1.13.0", PythonVersion: "3.11.2", Threads: 2},
		Records: []Record{
			rec(Spikego, "", 1, 11000, 10000, 48000, 45000, 0.8, 166, 7.5, 0.10),
			rec(Peer, SettingPassive, 1, 4000, 3500, 12000, 11000, 0.8001, 405, 20, 0),
			rec(Peer, SettingDefault, 1, 1150, 900, 3000, 2900, 0.8001, 411, 60, 0.05),
			rec(Spikego, "", 2, 12000, 10500, 50000, 46000, 0.8, 168, 7, 0.05),
			rec(Peer, SettingPassive, 2, 4100, 3600, 12500, 11500, 0.8001, 410, 19, 0.3),
			rec(Peer, SettingDefault, 2, 1100, 950, 3100, 3000, 0.8001, 415, 58, 0.1),
			rec(Spikego, "", 3, 11600, 10200, 47000, 44000, 0.8, 165, 7.2, 0.2),
			rec(Peer, SettingPassive, 3, 3900, 3400, 11000, 10000, 0.8001, 400, 21, 0.1),
			rec(Peer, SettingDefault, 3, 1200, 1000, 2900, 2800, 0.8001, 409, 62, 0.15),
		},
	}
	// Medians, ranges and ratios worked by hand from the records above:
	// train 11600/4000 = 2.90, 10200/3500 = 2.914, 48000/12000 = 4.00,
	// 45000/11000 = 4.091; RSS 166/405 = 0.410; wall 7.2/20 = 0.36.
	// Other CPUs sorted: 0 .05 .05 .1 .1 .1 .15 .2 .3: median 0.10.
	want := `spikego bench, 2026-11-30 09:05 UTC, commit abc1234

- Machine: Test CPU, 2 CPUs (AVX2, FMA), linux/amd64, go1.26.0. Load average 1.50 / 1.25 / 1.00 at the start, 1.75 / 1.50 / 1.12 at the end. Other processes used 0.10 CPUs during a run (median of the runs; at most 0.30).
- Data: fashion-mnist (DIR). Training images: mlp 60,000 (one pass); test images: 10,000.
- spikego: GOMAXPROCS 2.
- Peer: bench/peer/peer.py, PyTorch 1.13.0 on Python 3.11.2, 2 threads; PASSIVE with OMP_WAIT_POLICY=PASSIVE, default without it.
- Each figure is the median of 3 runs (minimum–maximum), each in a process of its own, the programs taking turns. After warm-up: the median throughput of windows of full batches after the first batches (mlp: training 10 steps, then windows of 50; test 3 batches, then windows of 15). Whole run: all samples over the summed step times. Peak RSS: the process' ru_maxrss (for the peer, Python and torch included). Ratio: spikego over the better peer setting (the faster; for RSS and wall time the smaller).

| | spikego | peer PASSIVE | peer default | spikego / best peer |
|---|---:|---:|---:|---:|
| **mlp**, 60,000 training images | | | | |
| train samples/s, after warm-up | 11,600 (11,000–12,000) | 4,000 (3,900–4,100) | 1,150 (1,100–1,200) | 2.90x |
| train samples/s, whole run | 10,200 (10,000–10,500) | 3,500 (3,400–3,600) | 950 (900–1,000) | 2.91x |
| inference samples/s, after warm-up | 48,000 (47,000–50,000) | 12,000 (11,000–12,500) | 3,000 (2,900–3,100) | 4.00x |
| inference samples/s, whole run | 45,000 (44,000–46,000) | 11,000 (10,000–11,500) | 2,900 (2,800–3,000) | 4.09x |
| test accuracy | 80.00% | 80.01% | 80.01% |  |
| peak RSS MB | 166 (165–168) | 405 (400–410) | 411 (409–415) | 0.41x |
| process wall time s | 7.2 (7.0–7.5) | 20.0 (19.0–21.0) | 60.0 (58.0–62.0) | 0.36x |
`
	if got := r.Markdown(); got != want {
		t.Errorf("Markdown:\n%s\nwant:\n%s", got, want)
	}
}

func TestMarkdownSpikegoOnly(t *testing.T) {
	r := &Report{
		Date: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), NumCPU: 4, CPUFeatures: "none of AVX2, FMA, AVX-512F",
		Platform: "linux/arm64", Go: "go1.26.0", Modified: true,
		Data: "embedded sample (4000 train / 1000 test images)", Sample: true, DataNote: "asked for",
		TrainSamples: map[string]int{"mlp": 4000}, TestSamples: 1000, Models: []string{"mlp"}, Runs: 1,
		Protocols:   map[string]Protocol{"mlp": protocols["mlp"]},
		PeerMissing: "not run: no Python with torch and numpy (python3: not found)",
		Notes:       []string{"mlp: 60000 training images asked, the data holds 4000: all of them are used"},
		Records:     []Record{rec(Spikego, "", 1, 9876.4, 9000, 40000, 39000, 0.654, 99.6, 1.25, 0.5)},
	}
	want := `spikego bench, 2026-01-02 03:04 UTC, commit unknown with uncommitted changes

- Machine: CPU model unknown, 4 CPUs (none of AVX2, FMA, AVX-512F), linux/arm64, go1.26.0. Other processes used 0.50 CPUs during a run (median of the runs; at most 0.50).
- Data: embedded sample (4000 train / 1000 test images) (asked for). Training images: mlp 4,000 (one pass); test images: 1,000.
- spikego: GOMAXPROCS 2.
- **spikego only**: the PyTorch peer was not run: no Python with torch and numpy (python3: not found).
- Each figure is from one run in a process of its own, the programs taking turns. After warm-up: the median throughput of windows of full batches after the first batches (mlp: training 10 steps, then windows of 50; test 3 batches, then windows of 15). Whole run: all samples over the summed step times. Peak RSS: the process' ru_maxrss.
- **Provisional**: the machine was busy during the measurement; the throughputs are pessimistic and the ratios uncertain.
- Note: mlp: 60000 training images asked, the data holds 4000: all of them are used.

| | spikego |
|---|---:|
| **mlp**, 4,000 training images | |
| train samples/s, after warm-up | 9,876 |
| train samples/s, whole run | 9,000 |
| inference samples/s, after warm-up | 40,000 |
| inference samples/s, whole run | 39,000 |
| test accuracy | 65.40% |
| peak RSS MB | 100 |
| process wall time s | 1.2 |
`
	if got := r.Markdown(); got != want {
		t.Errorf("Markdown:\n%s\nwant:\n%s", got, want)
	}
}

func TestFormatRatio(t *testing.T) {
	faster := figure{ratio: true, higher: true}
	smaller := figure{ratio: true, higher: false}
	s := func(med float64, n int) Summary { return Summary{Median: med, Min: med, Max: med, N: n} }
	for _, tc := range []struct {
		name  string
		f     figure
		sg    Summary
		peers []Summary
		want  string
	}{
		{"faster peer", faster, s(300, 3), []Summary{s(100, 3), s(150, 3)}, "2.00x"},
		{"smaller peer", smaller, s(300, 3), []Summary{s(600, 3), s(400, 3)}, "0.75x"},
		{"a setting without runs", faster, s(300, 3), []Summary{Summarize(nil), s(120, 2)}, "2.50x"},
		{"no peer runs", faster, s(300, 3), []Summary{Summarize(nil), Summarize(nil)}, "–"},
		{"no spikego runs", faster, Summarize(nil), []Summary{s(100, 1)}, "–"},
		{"no ratio", figure{}, s(300, 3), []Summary{s(100, 3)}, ""},
	} {
		if got := formatRatio(tc.f, tc.sg, tc.peers); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestFormatNumbers(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{formatInt(0), "0"}, {formatInt(999), "999"}, {formatInt(1000), "1,000"}, {formatInt(-1234567), "-1,234,567"},
		{formatRate(47888.6), "47,889"}, {formatRate(100), "100"}, {formatRate(90.47), "90.5"}, {formatRate(89), "89.0"}, {formatRate(0.123456), "0.1"},
		{formatMB(64.8), "65"}, {formatAcc(0.80005), "80.01%"}, {formatSeconds(7.25), "7.2"},
		{formatSummary(Summary{Median: 5, Min: 5, Max: 5, N: 3}, formatRate), "5.0"},
		{formatSummary(Summary{Median: 1000, Min: 999.6, Max: 1000.4, N: 3}, formatRate), "1,000"},
		{formatSummary(Summarize(nil), formatRate), "–"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if !strings.Contains(formatSummary(Summary{Median: 2, Min: 1, Max: 3, N: 3}, formatRate), "(1.0–3.0)") {
		t.Error("a summary whose runs differ does not show the range")
	}
}
