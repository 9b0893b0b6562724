package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikego/spikego/safetensors"
	"github.com/spikego/spikego/train"
)

// small are the flags of a quick run on the embedded sample.
var small = []string{"--data", "sample", "--train-samples", "128", "--test-samples", "64", "--batch", "32", "--quiet"}

func trainArgs(extra ...string) []string {
	return append(append([]string{"train"}, small...), extra...)
}

// TestRunTwice runs the README's first command twice, once with an
// explicit -out (refused, naming -resume, with the run untouched) and once
// with the default (a fresh run-2 directory).
func TestRunTwice(t *testing.T) {
	t.Chdir(t.TempDir())
	if code, _, stderr := runCmd(trainArgs()...); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}
	first, err := os.ReadFile(filepath.Join("run", train.CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd(trainArgs()...)
	if code != 0 || !strings.Contains(stdout, "run/ holds an earlier run (continue it with --out run --resume); this run writes to run-2/") {
		t.Fatalf("second run with the default --out: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join("run-2", train.CheckpointFile)); err != nil {
		t.Errorf("the second run wrote no checkpoint in run-2: %v", err)
	}
	code, _, stderr = runCmd(trainArgs("--out", "run")...)
	if code != 1 || !strings.Contains(stderr, "run holds a run already (model mlp, 1 of 1 epoch(s) done); continue it with --resume") || !strings.Contains(stderr, "--overwrite") {
		t.Errorf("re-run into an explicit --out: exit %d, stderr %q", code, stderr)
	}
	if now, _ := os.ReadFile(filepath.Join("run", train.CheckpointFile)); string(now) != string(first) {
		t.Error("a refused run changed the checkpoint")
	}
	code, stdout, _ = runCmd("train", "--out", "run", "--resume", "--quiet")
	if code != 0 || !strings.Contains(stdout, "already holds all 1 epoch(s): nothing to train") {
		t.Errorf("resume of a finished run: exit %d, stdout %q", code, stdout)
	}
	if ms, _ := train.ReadMetrics("run"); len(ms) != 1 {
		t.Errorf("metrics after the re-runs: %d lines", len(ms))
	}
}

// TestResumeTakesTheRunsSettings resumes with only -out, -resume and a
// larger -epochs, and refuses a changed learning rate.
func TestResumeTakesTheRunsSettings(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := runCmd(trainArgs("--out", dir, "--lr", "0.002", "--seed", "5")...); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := runCmd("train", "--out", dir, "--resume", "--epochs", "2", "--quiet")
	if code != 0 || !strings.Contains(stdout, "lr 0.002, 2 epoch(s)") || !strings.Contains(stdout, "resuming from") || !strings.Contains(stdout, "epoch 2/2") {
		t.Fatalf("resume: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	code, _, stderr = runCmd("train", "--out", dir, "--resume", "--epochs", "3", "--lr", "0.01", "--optimizer", "adamw")
	if code != 1 || !strings.Contains(stderr, "learning rate 0.002 (asked: 0.01), optimizer adam (asked: adamw)") {
		t.Errorf("resume with other settings: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runCmd("train", "--out", filepath.Join(t.TempDir(), "empty"), "--resume")
	if code != 1 || !strings.Contains(stderr, "holds no run to resume") {
		t.Errorf("resume of an empty directory: exit %d, stderr %q", code, stderr)
	}
}

// TestBadInput feeds the commands wrong flags and broken files: each must
// end in a clear error (exit 2 for usage, 1 for the work), never a panic.
func TestBadInput(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	broken := filepath.Join(tmp, "broken.safetensors")
	os.WriteFile(broken, []byte("\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":"), 0o644)
	badData := filepath.Join(tmp, "baddata")
	os.MkdirAll(badData, 0o755)
	for _, n := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
		os.WriteFile(filepath.Join(badData, n), []byte("not an idx file"), 0o644)
	}
	out := filepath.Join(tmp, "out")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown flag", []string{"train", "--epoch", "2"}, 2, `flag provided but not defined: -epoch (did you mean "epochs"?)`},
		{"unknown model", []string{"train", "--model", "cnnn"}, 2, `unknown model "cnnn" (did you mean "cnn"?`},
		{"unknown node", []string{"train", "--node", "LIFnode"}, 2, `did you mean "LIFNode"?`},
		{"unknown surrogate", []string{"train", "--surrogate", "QGateGard"}, 2, `did you mean "QGateGrad"?`},
		{"unknown optimizer", []string{"train", "--optimizer", "adm"}, 2, `did you mean "adam"?`},
		{"unknown schedule", []string{"train", "--schedule", "cos"}, 2, `unknown schedule "cos"`},
		{"lr underflows", []string{"train", "--lr", "1e-50"}, 2, "--lr 1e-50 underflows float32"},
		{"lr subnormal", []string{"train", "--lr", "1e-40"}, 2, "float32 subnormal"},
		{"lr overflows", []string{"train", "--lr", "1e39"}, 2, "--lr 1e+39 overflows float32"},
		{"lr NaN", []string{"train", "--lr", "NaN"}, 2, "--lr must be positive and finite"},
		{"lr negative", []string{"train", "--lr", "-1"}, 2, "--lr must be positive and finite"},
		{"lr not a number", []string{"train", "--lr", "fast"}, 2, `invalid value "fast" for flag -lr`},
		{"T zero", []string{"train", "--T", "0"}, 2, "--T must be at least 1"},
		{"T huge", []string{"train", "--T", "100000"}, 2, "T must be between 1 and 65536, got 100000"},
		{"T too big for memory", trainArgs("--T", "60000", "--batch", "4096", "--out", out), 1, "lower T or the batch size"},
		{"batch zero", []string{"train", "--batch", "0"}, 2, "--batch must be at least 1"},
		{"epochs zero", []string{"train", "--epochs", "0"}, 2, "--epochs must be at least 1"},
		{"negative samples", []string{"train", "--train-samples", "-5"}, 2, "must not be negative"},
		{"negative save interval", []string{"train", "--save-every", "-1s"}, 2, "--save-every must not be negative"},
		{"resume and overwrite", []string{"train", "--resume", "--overwrite"}, 2, "give one"},
		{"unwritable out", trainArgs("--out", filepath.Join(file, "run")), 1, "cannot create output directory"},
		{"missing data", []string{"train", "--data", filepath.Join(tmp, "nowhere"), "--out", out}, 1, "nowhere"},
		{"corrupt data", []string{"train", "--data", badData, "--out", out}, 1, "train-images-idx3-ubyte"},
		{"extra argument", []string{"train", "now"}, 2, "unexpected arguments: now"},
		{"eval missing checkpoint", []string{"eval", "--checkpoint", filepath.Join(tmp, "none")}, 1, "no such file"},
		{"eval broken checkpoint", []string{"eval", "--checkpoint", broken, "--data", "sample"}, 1, "broken.safetensors"},
		{"eval not a checkpoint", []string{"eval", "--checkpoint", file, "--data", "sample"}, 1, "file"},
		{"eval unknown model", []string{"eval", "--checkpoint", broken, "--model", "resnet"}, 2, `unknown model "resnet"`},
		{"eval node without model", []string{"eval", "--checkpoint", broken, "--node", "IFNode"}, 2, "give --model or --arch too"},
		{"eval batch zero", []string{"eval", "--batch", "0"}, 2, "--batch must be at least 1"},
		{"model and arch", []string{"train", "--model", "cnn", "--arch", "flatten linear(10) lif"}, 2, "--model and --arch both describe the network"},
		{"arch mistake", []string{"train", "--arch", "conv(8,3) lineer(10)"}, 2, "unknown layer \"lineer\" (did you mean \"linear\"?), at column 11:\n\tconv(8,3) lineer(10)\n\t          ^"},
		{"unknown loss", []string{"train", "--loss", "ce_rat_loss"}, 2, `did you mean "ce_rate_loss"?`},
		{"membrane loss on spikes", trainArgs("--loss", "ce_mean_membrane_loss", "--out", out), 1, "end the network with a non-spiking node"},
		{"negative clip", []string{"train", "--clip-norm", "-1"}, 2, "--clip-norm must be positive"},
		{"momentum nan", []string{"train", "--momentum", "nan"}, 2, "--momentum must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCmd(tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, stderr, tc.code, tc.want)
			}
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
				t.Errorf("panicked:\n%s", stderr)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(out, train.CheckpointFile)); err == nil {
		t.Error("a refused run wrote a checkpoint")
	}
}

// TestDivergedRunFails trains with a learning rate that makes the weights
// non-finite: the command must fail naming the step, not report success.
func TestDivergedRunFails(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := runCmd(trainArgs("--out", dir, "--lr", "3e38")...)
	if code != 1 || !strings.Contains(stderr, "training diverged at epoch 1, batch 1") || !strings.Contains(stderr, "Lower the learning rate (it is 3e+38)") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if strings.Contains(stdout, "done in") {
		t.Errorf("a diverged run reported success:\n%s", stdout)
	}
}

// TestEvalPlainStateDict strips a spikego checkpoint down to what PyTorch's
// safetensors.torch.save_file(model.state_dict()) writes, and evaluates it
// with --model: the accuracy must equal the checkpoint's. A checkpoint
// with a NaN weight is refused.
func TestEvalPlainStateDict(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := runCmd(trainArgs("--out", dir)...); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	f, err := safetensors.ReadFile(filepath.Join(dir, train.CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	var plain []safetensors.Tensor
	for _, ts := range f.Tensors {
		if !strings.HasPrefix(ts.Name, "optimizer.") {
			plain = append(plain, ts)
		}
	}
	sd := filepath.Join(t.TempDir(), "model.safetensors")
	if err := safetensors.WriteFile(sd, plain, nil); err != nil {
		t.Fatal(err)
	}
	accuracy := func(out string) string {
		i := strings.Index(out, "test accuracy ")
		if i < 0 {
			t.Fatalf("no accuracy in %q", out)
		}
		return strings.Fields(out[i:])[2]
	}
	code, want, stderr := runCmd("eval", "--checkpoint", dir, "--data", "sample", "--test-samples", "200")
	if code != 0 {
		t.Fatalf("eval of the checkpoint: exit %d\n%s", code, stderr)
	}
	code, got, stderr := runCmd("eval", "--checkpoint", sd, "--model", "mlp", "--data", "sample", "--test-samples", "200")
	if code != 0 || accuracy(got) != accuracy(want) || !strings.Contains(got, "state_dict") {
		t.Errorf("eval --model of the state_dict: exit %d, %q (checkpoint: %q)\n%s", code, got, want, stderr)
	}
	code, _, stderr = runCmd("eval", "--checkpoint", sd, "--data", "sample")
	if code != 1 || !strings.Contains(stderr, "spikego eval --model NAME") {
		t.Errorf("eval of a plain state_dict without --model: exit %d, %q", code, stderr)
	}
	code, _, stderr = runCmd("eval", "--checkpoint", sd, "--model", "cnn", "--data", "sample")
	if code != 1 || !strings.Contains(stderr, "does not fit the model") {
		t.Errorf("eval of an mlp state_dict as cnn: exit %d, %q", code, stderr)
	}
	for i := range plain {
		if plain[i].Name == "0.bias" {
			plain[i].Data[0] = float32(nan())
		}
	}
	safetensors.WriteFile(sd, plain, nil)
	code, _, stderr = runCmd("eval", "--checkpoint", sd, "--model", "mlp", "--data", "sample")
	if code != 1 || !strings.Contains(stderr, `"0.bias" holds non-finite values (1 NaN`) {
		t.Errorf("eval of a NaN state_dict: exit %d, %q", code, stderr)
	}

}

func nan() float64 { return math.NaN() }

// TestArchTrainEvalResume trains a network given with --arch, evaluates
// its checkpoint (rebuilt from the spec it records) and resumes it.
func TestArchTrainEvalResume(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	spec := "conv(8,3,stride=2) bn plif(tau=3) maxpool(2) flatten dropout(0.1) linear(10) lif(nonspiking=true)"
	code, stdout, stderr := runCmd(trainArgs("--arch", spec, "--T", "3", "--loss", "ce_mean_membrane_loss", "--optimizer", "sgd", "--lr", "0.05", "--clip-norm", "1", "--out", dir)...)
	if code != 0 || !strings.Contains(stdout, "model arch") || !strings.Contains(stdout, "loss ce_mean_membrane_loss") {
		t.Fatalf("train --arch: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCmd("eval", "--checkpoint", dir, "--data", "sample", "--test-samples", "64")
	if code != 0 || !strings.Contains(stdout, "test accuracy") {
		t.Fatalf("eval: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCmd("train", "--out", dir, "--resume", "--epochs", "2", "--quiet")
	if code != 0 || !strings.Contains(stdout, "epoch 2/2") {
		t.Fatalf("resume: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestEvalTorchCheckpoint evaluates the state_dict PyTorch wrote for the
// reference cnn (models/testdata, tools/golden/gen_torch_interop.py) as a
// user would: 11 of the first 64 sample test images are right in PyTorch.
func TestEvalTorchCheckpoint(t *testing.T) {
	ckpt := filepath.Join("..", "..", "models", "testdata", "torch_cnn.safetensors")
	code, stdout, stderr := runCmd("eval", "--checkpoint", ckpt, "--model", "cnn", "--data", "sample", "--test-samples", "64")
	if code != 0 || !strings.Contains(stdout, "test accuracy 17.19% (64 images") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	code, _, stderr = runCmd("eval", "--checkpoint", ckpt, "--data", "sample")
	if code != 1 || !strings.Contains(stderr, "spikego eval --model NAME") {
		t.Errorf("without --model: exit %d, %s", code, stderr)
	}
}
