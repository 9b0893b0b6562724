package train

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spikego/spikego/checkpoint"
	"github.com/spikego/spikego/dataset"
	"github.com/spikego/spikego/internal/rundir"
	"github.com/spikego/spikego/safetensors"
)

// finishedRun trains cfg to the end and releases its directory.
func finishedRun(t *testing.T, cfg Config, data Data) *Trainer {
	t.Helper()
	tr, err := New(cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Run(context.Background(), nil, nil); err != nil {
		t.Fatal(err)
	}
	tr.Close()
	return tr
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Model: "resnet"}, `unknown model "resnet" (known: cnn, mlp)`},
		{Config{Model: "cnnn"}, `did you mean "cnn"?`},
		{Config{Node: "LIFnode"}, `did you mean "LIFNode"?`},
		{Config{Surrogate: "QGateGard"}, `did you mean "QGateGrad"?`},
		{Config{Surrogate: "NoSuchThing"}, `unknown surrogate function "NoSuchThing"`},
		{Config{T: -1}, "T must be between 1 and"},
		{Config{T: MaxSteps + 1}, "T must be between 1 and"},
		{Config{Batch: -2}, "batch must be at least 1"},
		{Config{Optimizer: "adm"}, `did you mean "adam"?`},
		{Config{Optimizer: "lbfgs"}, `unknown optimizer "lbfgs"`},
		{Config{Schedule: "cosin"}, `did you mean "cosine"?`},
		{Config{TrainSamples: -1}, "must not be negative"},
		{Config{LR: float32(math.Inf(1))}, "learning rate must be positive and finite"},
		{Config{LR: -1}, "learning rate must be positive and finite"},
		{Config{LR: float32(math.NaN())}, "learning rate must be positive and finite"},
		{Config{SaveEvery: -time.Second}, "SaveEvery"},
		{Config{Resume: true, Overwrite: true}, "exclude each other"},
	} {
		_, err := tc.cfg.WithDefaults()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want it to contain %q", tc.cfg, err, tc.want)
		}
	}
	c, err := Config{Model: "cnn"}.WithDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if c.T != 4 || c.Batch != 64 || c.LR != 1e-3 || c.Optimizer != "adam" || c.Epochs != 1 || c.Node != "LIFNode" {
		t.Errorf("cnn defaults %+v", c)
	}
	c, _ = Config{Model: "mlp"}.WithDefaults()
	if c.T != 8 || c.Batch != 128 {
		t.Errorf("mlp defaults %+v", c)
	}
}

// TestRerunIntoFinishedRun checks the three ways into a directory that
// holds a finished run: refused without a choice, resumed (nothing left
// to do, no duplicate metrics), or overwritten on purpose.
func TestRerunIntoFinishedRun(t *testing.T) {
	data := sampleData(t)
	dir := t.TempDir()
	cfg := smallConfig(dir)
	cfg.Epochs = 1
	finishedRun(t, cfg, data)
	before, err := os.ReadFile(filepath.Join(dir, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}

	if _, err := New(cfg, data); !errors.Is(err, ErrRunExists) {
		t.Fatalf("re-run without Resume: %v, want ErrRunExists", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, CheckpointFile))
	if string(after) != string(before) {
		t.Fatal("a refused re-run changed the checkpoint")
	}

	cfg.Resume = true
	tr, err := New(cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	epochs := 0
	if err := tr.Run(context.Background(), nil, func(EpochMetrics) { epochs++ }); err != nil {
		t.Fatal(err)
	}
	tr.Close()
	if ms, _ := ReadMetrics(dir); epochs != 0 || len(ms) != 1 {
		t.Errorf("resuming a finished run trained %d epochs, metrics has %d lines", epochs, len(ms))
	}

	cfg.Resume, cfg.Epochs = true, 2 // train further
	tr = finishedRun(t, cfg, data)
	if ms, _ := ReadMetrics(dir); len(ms) != 2 || ms[0].Epoch != 1 || ms[1].Epoch != 2 || tr.Epoch() != 2 {
		t.Errorf("after training further: %d metrics lines %+v", len(ms), ms)
	}

	cfg.Resume, cfg.Overwrite, cfg.Epochs = false, true, 1
	finishedRun(t, cfg, data)
	ms, err := ReadMetrics(dir)
	if err != nil || len(ms) != 1 {
		t.Errorf("overwritten run: metrics %+v, %v", ms, err)
	}
}

func TestResumeNeedsACheckpoint(t *testing.T) {
	cfg := smallConfig(t.TempDir())
	cfg.Resume = true
	if _, err := New(cfg, sampleData(t)); !errors.Is(err, ErrNothingToResume) {
		t.Errorf("resume of an empty directory: %v", err)
	}
}

func TestSecondRunIsLockedOut(t *testing.T) {
	data := sampleData(t)
	cfg := smallConfig(t.TempDir())
	a, err := New(cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	other := cfg
	other.Model = "cnn"
	if _, err := New(other, data); !errors.Is(err, rundir.ErrLocked) {
		t.Fatalf("second run into a held directory: %v", err)
	}
}

// TestResumeRefusesOtherSettings changes one setting at a time after a
// finished epoch and requires an error that names it.
func TestResumeRefusesOtherSettings(t *testing.T) {
	data := sampleData(t)
	dir := t.TempDir()
	base := smallConfig(dir)
	base.Epochs = 1
	base.Schedule = "cosine"
	finishedRun(t, base, data)
	base.Resume = true

	otherTrain := *data.Train
	otherTrain.Labels = append([]uint8(nil), data.Train.Labels...)
	otherTrain.Labels[0] = (otherTrain.Labels[0] + 1) % 10
	for _, tc := range []struct {
		name string
		edit func(*Config, *Data)
		want string
	}{
		{"T", func(c *Config, _ *Data) { c.T = 4 }, "T 8 (asked: 4)"},
		{"batch", func(c *Config, _ *Data) { c.Batch = 16 }, "batch 32 (asked: 16)"},
		{"lr", func(c *Config, _ *Data) { c.LR = 0.01 }, "learning rate 0.001 (asked: 0.01)"},
		{"optimizer", func(c *Config, _ *Data) { c.Optimizer = "adamw" }, "optimizer adam (asked: adamw)"},
		{"schedule", func(c *Config, _ *Data) { c.Schedule = "" }, "schedule cosine (asked: none)"},
		{"epochs under cosine", func(c *Config, _ *Data) { c.Epochs = 3 }, "epochs (the cosine schedule spans them) 1 (asked: 3)"},
		{"seed", func(c *Config, _ *Data) { c.Seed = 4 }, "seed 3 (asked: 4)"},
		{"train samples", func(c *Config, _ *Data) { c.TrainSamples = 160 }, "train samples 320 (asked: 160)"},
		{"surrogate", func(c *Config, _ *Data) { c.Surrogate = "AtanGrad" }, "surrogate the node's default (asked: AtanGrad)"},
		{"node", func(c *Config, _ *Data) { c.Node = "IFNode" }, "node LIFNode (asked: IFNode)"},
		{"data", func(_ *Config, d *Data) { d.Train = &otherTrain }, "the run's training data was"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, d := base, data
			tc.edit(&cfg, &d)
			_, err := New(cfg, d)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to name %q", err, tc.want)
			}
		})
	}
}

// TestMetricsFollowTheCheckpoint simulates crashes between the checkpoint
// and metrics.jsonl: a missing line and a duplicated one are both
// repaired on resume.
func TestMetricsFollowTheCheckpoint(t *testing.T) {
	data := sampleData(t)
	dir := t.TempDir()
	cfg := smallConfig(dir)
	finishedRun(t, cfg, data)
	good, err := os.ReadFile(filepath.Join(dir, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSpace(string(good)), "\n")
	if len(lines) != 2 {
		t.Fatalf("metrics has %d lines", len(lines))
	}
	for _, bad := range []string{lines[0], string(good) + lines[1] + "\n", "not json\n"} {
		if err := os.WriteFile(filepath.Join(dir, MetricsFile), []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		resumed := cfg
		resumed.Resume = true
		tr, err := New(resumed, data)
		if err != nil {
			t.Fatal(err)
		}
		tr.Close()
		got, _ := os.ReadFile(filepath.Join(dir, MetricsFile))
		if string(got) != string(good) {
			t.Errorf("after resume metrics.jsonl is\n%s\nwant\n%s", got, good)
		}
	}
}

// TestDivergenceStops trains with an absurd learning rate: the run must
// stop with a DivergedError that names the step and the tensor, and leave
// only finite checkpoints behind.
func TestDivergenceStops(t *testing.T) {
	data := sampleData(t)
	for _, model := range []string{"mlp", "cnn"} {
		t.Run(model, func(t *testing.T) {
			dir := t.TempDir()
			cfg := smallConfig(dir)
			cfg.Model, cfg.LR, cfg.SaveEvery = model, 3e38, time.Nanosecond
			cfg.Batch, cfg.TrainSamples = 8, 160
			tr, err := New(cfg, data)
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			err = tr.Run(context.Background(), nil, nil)
			var d *DivergedError
			if !errors.As(err, &d) {
				t.Fatalf("Run returned %v, want a DivergedError", err)
			}
			if d.Epoch != 1 || d.Batch < 1 || d.LR != 3e38 || !strings.Contains(err.Error(), "Lower the learning rate (it is 3e+38)") {
				t.Errorf("error %+v: %v", d, err)
			}
			if d.What != "loss" && (d.Tensor == "" || d.NaN+d.Inf == 0) {
				t.Errorf("error does not name the tensor: %+v", d)
			}
			t.Log(err)
			if d.Saved {
				if _, err := LoadCheckpoint(dir); err != nil {
					t.Errorf("the checkpoint kept after divergence does not load: %v", err)
				}
			}
		})
	}
}

// TestDivergenceKeepsLastGoodCheckpoint makes the second epoch diverge:
// the checkpoint of the first stays, and resuming from it is possible.
func TestDivergenceKeepsLastGoodCheckpoint(t *testing.T) {
	data := sampleData(t)
	dir := t.TempDir()
	cfg := smallConfig(dir)
	cfg.Epochs = 1
	finishedRun(t, cfg, data)
	good, err := os.ReadFile(filepath.Join(dir, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Epochs, cfg.Resume = 2, true
	tr, err := New(cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	tr.opt.SetLR(3e38) // what a bad schedule would do
	err = tr.Run(context.Background(), nil, nil)
	tr.Close()
	var d *DivergedError
	if !errors.As(err, &d) || d.Epoch != 2 || !d.Saved || !strings.Contains(err.Error(), "the last checkpoint, from before it, is kept") {
		t.Fatalf("Run returned %v", err)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, CheckpointFile)); string(now) != string(good) {
		t.Error("the checkpoint changed after the divergence")
	}
	if ms, _ := ReadMetrics(dir); len(ms) != 1 {
		t.Errorf("metrics after divergence: %+v", ms)
	}
	if _, err := New(cfg, data); err != nil {
		t.Errorf("resume after divergence: %v", err)
	}
}

// TestLoadRefusesNonFinite plants a NaN in a saved checkpoint.
func TestLoadRefusesNonFinite(t *testing.T) {
	dir := t.TempDir()
	cfg := smallConfig(dir)
	cfg.Epochs = 1
	finishedRun(t, cfg, sampleData(t))
	path := filepath.Join(dir, CheckpointFile)
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.Tensors {
		if f.Tensors[i].Name == "2.weight" {
			f.Tensors[i].Data[5] = float32(math.NaN())
			f.Tensors[i].Data[6] = float32(math.Inf(-1))
		}
	}
	if err := safetensors.WriteFile(path, f.Tensors, f.Metadata); err != nil {
		t.Fatal(err)
	}
	_, err = LoadCheckpoint(dir)
	if !errors.Is(err, checkpoint.ErrNonFinite) || !strings.Contains(err.Error(), `"2.weight"`) || !strings.Contains(err.Error(), "1 NaN, 1 infinite") {
		t.Errorf("LoadCheckpoint of a NaN checkpoint: %v", err)
	}
	resumed := cfg
	resumed.Resume = true
	if _, err := New(resumed, sampleData(t)); !errors.Is(err, checkpoint.ErrNonFinite) {
		t.Errorf("resume from a NaN checkpoint: %v", err)
	}
}

// TestCraftedMetadata feeds checkpoints whose metadata lies and requires
// an error (never a panic) from both loading and resuming.
func TestCraftedMetadata(t *testing.T) {
	data := sampleData(t)
	dir := t.TempDir()
	cfg := smallConfig(dir)
	tr, err := New(cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	tr.Run(ctx, func(p Progress) {
		if n++; n == 3 {
			cancel()
		}
	}, nil)
	tr.Close()
	path := filepath.Join(dir, CheckpointFile)
	orig, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	setJSON := func(key string, edit func(map[string]any)) func(map[string]string) {
		return func(md map[string]string) {
			var v map[string]any
			json.Unmarshal([]byte(md[key]), &v)
			edit(v)
			b, _ := json.Marshal(v)
			md[key] = string(b)
		}
	}
	for _, tc := range []struct {
		name string
		edit func(map[string]string)
		want string
		// resumeOnly marks lies about the partial epoch, which only
		// resuming reads; evaluation loads the weights alone.
		resumeOnly bool
	}{
		{"huge T", setJSON(metaConfig, func(v map[string]any) { v["T"] = 100000 }), "T must be between", false},
		{"T that does not fit in memory", setJSON(metaConfig, func(v map[string]any) { v["T"] = MaxSteps; v["batch"] = 1 << 20 }), "T 65536 (asked: 8)", false},
		{"unknown model", setJSON(metaConfig, func(v map[string]any) { v["model"] = "resnet" }), "unknown model", false},
		{"partial arrays too short", setJSON(metaProgress, func(v map[string]any) {
			v["partial"].(map[string]any)["spikes"] = []float64{1}
			v["partial"].(map[string]any)["seen"] = []float64{1}
		}), "firing counts for 1 layers", true},
		{"partial arrays of different lengths", setJSON(metaProgress, func(v map[string]any) { v["partial"].(map[string]any)["seen"] = []float64{} }), "inconsistent partial epoch", false},
		{"batch beyond the epoch", setJSON(metaProgress, func(v map[string]any) { v["next_batch"] = 1000 }), "stopped at batch 1000", true},
		{"samples beyond the data", setJSON(metaProgress, func(v map[string]any) { v["partial"].(map[string]any)["samples"] = 1e6 }), "counts 1000000 samples", true},
		{"epoch beyond the run", setJSON(metaProgress, func(v map[string]any) { v["epoch"] = 7 }), "epoch 7 outside 0..2", false},
		{"metrics missing", setJSON(metaProgress, func(v map[string]any) { v["epoch"] = 1 }), "1 epochs completed but metrics for 0", false},
		{"config not JSON", func(md map[string]string) { md[metaConfig] = "{" }, `metadata "config"`, false},
		{"no progress", func(md map[string]string) { delete(md, metaProgress) }, `metadata lacks "progress"`, false},
		{"other format", func(md map[string]string) { md["format"] = "spikego-checkpoint-9" }, "unknown checkpoint format", false},
		{"plain state_dict", func(md map[string]string) { clear(md) }, "spikego eval --model", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md := map[string]string{}
			for k, v := range orig.Metadata {
				md[k] = v
			}
			tc.edit(md)
			if err := safetensors.WriteFile(path, orig.Tensors, md); err != nil {
				t.Fatal(err)
			}
			resumed := cfg
			resumed.Resume = true
			_, err := New(resumed, data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("resume: %v, want %q", err, tc.want)
			}
			if _, err := LoadCheckpoint(path); err == nil && !tc.resumeOnly {
				t.Errorf("LoadCheckpoint accepted it")
			}
		})
	}
	// Evaluating a checkpoint whose T and batch cannot fit is refused
	// before anything is allocated.
	if _, ok := availableMemory(); ok {
		md := map[string]string{}
		for k, v := range orig.Metadata {
			md[k] = v
		}
		setJSON(metaConfig, func(v map[string]any) { v["T"] = MaxSteps; v["batch"] = 1 << 20 })(md)
		if err := safetensors.WriteFile(path, orig.Tensors, md); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadCheckpoint(path); err == nil || !strings.Contains(err.Error(), "memory available") {
			t.Errorf("LoadCheckpoint of T=%d, batch 2^20: %v", MaxSteps, err)
		}
	}
}

func TestMemoryCheck(t *testing.T) {
	if _, ok := availableMemory(); !ok {
		t.Skip("available memory unknown on this system: the check is off")
	}
	cfg := smallConfig("")
	cfg.T, cfg.Batch = MaxSteps, 4096
	_, err := New(cfg, sampleData(t))
	if err == nil || !strings.Contains(err.Error(), "needs about") || !strings.Contains(err.Error(), "lower T or the batch size") {
		t.Errorf("New with T=%d: %v", cfg.T, err)
	}
}

func TestImageSizeMismatch(t *testing.T) {
	small := &dataset.Set{Images: make([]uint8, 4*100), Labels: make([]uint8, 4), N: 4, Rows: 10, Cols: 10, Name: "tiny"}
	for _, model := range []string{"mlp", "cnn"} {
		_, err := New(Config{Model: model}, Data{Train: small, Test: small})
		if err == nil || !strings.Contains(err.Error(), "tiny holds 10x10 images; model "+model+" needs 784 pixels") {
			t.Errorf("%s on 10x10 images: %v", model, err)
		}
	}
}
