package models

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/checkpoint"
	"github.com/spikego/spikego/dataset"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/optim"
	"github.com/spikego/spikego/safetensors"
	"github.com/spikego/spikego/snn"
	"github.com/spikego/spikego/tensor"
)

// The checkpoints that cross between PyTorch and spikego (written by
// tools/golden/gen_torch_interop.py, and by this file with -update).
var (
	torchCkpt    = filepath.Join("testdata", "torch_cnn.safetensors")
	torchOut     = filepath.Join("testdata", "torch_cnn_out.safetensors")
	spikegoCkpt  = filepath.Join("testdata", "spikego_cnn.safetensors")
	spikegoInPyT = filepath.Join("testdata", "spikego_cnn_torch_out.safetensors")
)

const interopImages = 64

// interopInput returns the first 64 test images of the embedded sample.
func interopInput(t *testing.T) *tensor.Tensor {
	t.Helper()
	set, err := dataset.Sample(dataset.Test)
	if err != nil {
		t.Fatal(err)
	}
	idx := make([]int, interopImages)
	for i := range idx {
		idx[i] = i
	}
	x := tensor.New(interopImages, 1, 28, 28)
	set.Batch(idx, x.Data(), make([]int, interopImages))
	return x
}

// compareOutputs runs net in evaluation mode on the 64 images and compares
// its firing rates and per-channel spike counts with those PyTorch
// computed. Spikes are decided by comparisons of membranes with
// thresholds, so they are identical unless a membrane lies within
// float32 rounding of a threshold; the test allows no difference, as
// measured when the fixtures were made.
func compareOutputs(t *testing.T, net *snn.Net, path string) {
	t.Helper()
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := f.Map()
	out, err := net.Infer(interopInput(t))
	if err != nil {
		t.Fatal(err)
	}
	rates, err := tensor.MeanAxis(out, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rates.Data(), want["rates"].Data) {
		diff := 0
		for i, v := range rates.Data() {
			if v != want["rates"].Data[i] {
				diff++
			}
		}
		t.Errorf("%d of %d output rates differ from PyTorch's", diff, rates.Len())
	}
	for l, s := range net.Spikes() {
		name := []string{"spikes.2", "spikes.6", "spikes.10"}[l]
		counts := make([]float32, s.Shape()[2])
		per := s.Len() / (s.Shape()[0] * s.Shape()[1] * len(counts))
		for i, v := range s.Data() {
			counts[(i/per)%len(counts)] += v
		}
		if !slices.Equal(counts, want[name].Data) {
			t.Errorf("%s: spike counts per channel %v, PyTorch %v", name, counts, want[name].Data)
		}
	}
	labels := want["labels"].Data
	pred, _ := tensor.ArgMaxRows(rates)
	correct := 0
	for i, p := range pred {
		if float32(p) == labels[i] {
			correct++
		}
	}
	t.Logf("%s: %d of %d correct, as PyTorch (metadata accuracy %s)", path, correct, interopImages, f.Metadata["accuracy"])
}

// TestInteropTorchToSpikego loads a state_dict PyTorch wrote for the
// equivalent torch.nn.Sequential with BrainCog's nodes (I64
// num_batches_tracked, a changed threshold, no spikego metadata) into a
// spikego cnn built with other weights, and requires PyTorch's outputs.
func TestInteropTorchToSpikego(t *testing.T) {
	f, err := checkpoint.Read(torchCkpt)
	if err != nil {
		t.Fatal(err)
	}
	net, err := NewCNN(Config{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.LoadInto(net, nil); err != nil {
		t.Fatal(err)
	}
	sd := map[string]*tensor.Tensor{}
	for _, e := range nn.StateDict(net) {
		sd[e.Name] = e.Tensor
	}
	if n := sd["1.num_batches_tracked"].Item(); n != 120 {
		t.Errorf("1.num_batches_tracked = %v, want PyTorch's 120", n)
	}
	if th := sd["6.threshold"].Item(); th != 0.45 {
		t.Errorf("6.threshold = %v, want the 0.45 PyTorch's model had", th)
	}
	compareOutputs(t, net, torchOut)
}

// TestInteropSpikegoToTorch checks that the spikego checkpoint PyTorch
// loaded (strictly) gives PyTorch's outputs in spikego too, and that
// spikego still writes checkpoints in that layout: the same names, dtypes
// and shapes.
func TestInteropSpikegoToTorch(t *testing.T) {
	if *update {
		writeSpikegoCheckpoint(t)
	}
	net, err := NewCNN(Config{Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := checkpoint.Load(spikegoCkpt, net, nil); err != nil {
		t.Fatal(err)
	}
	compareOutputs(t, net, spikegoInPyT)

	fixture, err := safetensors.ReadFile(spikegoCkpt)
	if err != nil {
		t.Fatal(err)
	}
	now := filepath.Join(t.TempDir(), "now.safetensors")
	adam, _ := optim.NewAdam(nn.ParamVars(net), optim.DefaultAdam())
	trainSteps(t, net, adam, 1)
	if err := checkpoint.Save(now, net, adam, nil); err != nil {
		t.Fatal(err)
	}
	current, err := safetensors.ReadFile(now)
	if err != nil {
		t.Fatal(err)
	}
	layout := func(f *safetensors.File) []string {
		var out []string
		for _, ts := range f.Tensors {
			out = append(out, ts.Name+" "+string(ts.DType)+" "+fmtInts(ts.Shape))
		}
		slices.Sort(out)
		return out
	}
	if a, b := layout(fixture), layout(current); !slices.Equal(a, b) {
		t.Errorf("checkpoint layout changed since PyTorch read the fixture:\nfixture %v\nnow     %v", a, b)
	}
}

func fmtInts(s []int) string {
	b := []byte{'['}
	for i, d := range s {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, []byte(itoa(d))...)
	}
	return string(append(b, ']'))
}

func itoa(d int) string {
	if d == 0 {
		return "0"
	}
	var b []byte
	for ; d > 0; d /= 10 {
		b = append([]byte{byte('0' + d%10)}, b...)
	}
	return string(b)
}

// trainSteps runs n Adam steps of net on the first 32 training images.
func trainSteps(t *testing.T, net *snn.Net, opt optim.Optimizer, n int) {
	t.Helper()
	set, err := dataset.Sample(dataset.Train)
	if err != nil {
		t.Fatal(err)
	}
	idx := make([]int, 32)
	for i := range idx {
		idx[i] = i
	}
	x := tensor.New(32, 1, 28, 28)
	y := make([]int, 32)
	set.Batch(idx, x.Data(), y)
	for i := 0; i < n; i++ {
		opt.ZeroGrad()
		out, err := net.Forward(autograd.Const(x))
		if err != nil {
			t.Fatal(err)
		}
		loss, err := nn.CrossEntropyRate(out, y)
		if err != nil {
			t.Fatal(err)
		}
		if err := autograd.Backward(loss, nil); err != nil {
			t.Fatal(err)
		}
		if err := opt.Step(); err != nil {
			t.Fatal(err)
		}
	}
}

// writeSpikegoCheckpoint writes the spikego side's fixture: a cnn (seed
// 5) with its layer-6 threshold set to 0.4, trained 30 Adam steps, saved
// with its optimizer state.
func writeSpikegoCheckpoint(t *testing.T) {
	t.Helper()
	net, err := NewCNN(Config{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range nn.StateDict(net) {
		if e.Name == "6.threshold" {
			e.Tensor.Data()[0] = 0.4
		}
	}
	adam, err := optim.NewAdam(nn.ParamVars(net), optim.DefaultAdam())
	if err != nil {
		t.Fatal(err)
	}
	trainSteps(t, net, adam, 30)
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := checkpoint.Save(spikegoCkpt, net, adam, map[string]string{"written_by": "go test ./models -run TestInterop -update"}); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s; now run /usr/bin/python3 tools/golden/gen_torch_interop.py", spikegoCkpt)
}
