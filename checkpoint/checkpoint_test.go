package checkpoint

import (
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/optim"
	"github.com/spikego/spikego/safetensors"
	"github.com/spikego/spikego/tensor"
)

// net returns Linear(4,3) -> BatchNorm1d(3) with weights from seed.
func net(t *testing.T, seed uint64) *nn.Sequential {
	t.Helper()
	bn, err := nn.NewBatchNorm1d(3)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := nn.NewLinear(4, 3, true, nn.NewRand(seed))
	if err != nil {
		t.Fatal(err)
	}
	return nn.NewSequential(fc, bn)
}

// step runs one training step so that the optimizer has state and the
// BatchNorm running statistics move.
func step(t *testing.T, m nn.Module, opt optim.Optimizer) {
	t.Helper()
	x, _ := tensor.FromSlice([]float32{1, 2, 3, 4, -1, 0, 2, 1}, 2, 4)
	y, err := m.Forward(autograd.Const(x))
	if err != nil {
		t.Fatal(err)
	}
	opt.ZeroGrad()
	if err := autograd.Backward(autograd.Sum(autograd.Square(y)), nil); err != nil {
		t.Fatal(err)
	}
	if err := opt.Step(); err != nil {
		t.Fatal(err)
	}
}

func equalState(t *testing.T, a, b nn.Module) {
	t.Helper()
	sa, sb := nn.StateDict(a), nn.StateDict(b)
	for i := range sa {
		for j, v := range sa[i].Tensor.Data() {
			if w := sb[i].Tensor.Data()[j]; math.Float32bits(v) != math.Float32bits(w) {
				t.Fatalf("%s[%d]: %v != %v", sa[i].Name, j, v, w)
			}
		}
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.safetensors")
	a := net(t, 1)
	optA, _ := optim.NewAdam(nn.ParamVars(a), optim.DefaultAdam())
	step(t, a, optA)
	if err := Save(path, a, optA, map[string]string{"note": "x"}); err != nil {
		t.Fatal(err)
	}
	b := net(t, 2)
	optB, _ := optim.NewAdam(nn.ParamVars(b), optim.DefaultAdam())
	meta, err := Load(path, b, optB)
	if err != nil {
		t.Fatal(err)
	}
	if meta["note"] != "x" || meta[FormatKey] != Format || meta[OptimizerKey] != "Adam" {
		t.Errorf("metadata %v", meta)
	}
	equalState(t, a, b)
	// The same next step from the same state gives the same weights.
	step(t, a, optA)
	step(t, b, optB)
	equalState(t, a, b)

	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ts := range f.Tensors {
		names = append(names, ts.Name)
	}
	for _, ts := range f.Tensors {
		want := safetensors.F32
		if ts.Name == "1.num_batches_tracked" {
			want = safetensors.I64 // as in PyTorch's state_dict
		}
		if ts.DType != want {
			t.Errorf("%s written as %s, want %s", ts.Name, ts.DType, want)
		}
	}
	want := "0.weight 0.bias 1.weight 1.bias 1.running_mean 1.running_var 1.num_batches_tracked optimizer.0.exp_avg optimizer.0.exp_avg_sq optimizer.0.step"
	if got := strings.Join(names, " "); !strings.HasPrefix(got, want) {
		t.Errorf("tensors in the file:\n%s\nwant them to start\n%s", got, want)
	}
}

func TestLoadErrorsChangeNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.safetensors")
	a := net(t, 1)
	adam, _ := optim.NewAdam(nn.ParamVars(a), optim.DefaultAdam())
	step(t, a, adam)
	if err := Save(path, a, adam, nil); err != nil {
		t.Fatal(err)
	}
	fc, _ := nn.NewLinear(4, 5, true, nn.NewRand(1))
	other := nn.NewSequential(fc)
	b := net(t, 2)
	for _, tc := range []struct {
		name string
		m    nn.Module
		opt  func(nn.Module) optim.Optimizer
		want string
	}{
		{"other shapes", other, nil, `"0.weight" has shape [3 4], the model wants [5 4]`},
		{"unexpected tensors", other, nil, `unexpected "1.bias" [3]`},
		{"AdamW state", b, func(m nn.Module) optim.Optimizer {
			o, _ := optim.NewAdamW(nn.ParamVars(m), optim.DefaultAdamW())
			return o
		}, "the optimizer state is Adam's, the run uses AdamW"},
		{"SGD state", b, func(m nn.Module) optim.Optimizer {
			o, _ := optim.NewSGD(nn.ParamVars(m), optim.SGDOptions{LR: 0.1, Momentum: 0.9})
			return o
		}, "the optimizer state is Adam's, the run uses SGD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := nn.StateDict(tc.m)
			saved := make([][]float32, len(before))
			for i, e := range before {
				saved[i] = append([]float32(nil), e.Tensor.Data()...)
			}
			var opt optim.Optimizer
			if tc.opt != nil {
				opt = tc.opt(tc.m)
			}
			_, err := Load(path, tc.m, opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load: %v, want %q", err, tc.want)
			}
			for i, e := range nn.StateDict(tc.m) {
				for j, v := range e.Tensor.Data() {
					if v != saved[i][j] {
						t.Fatalf("a failed Load changed %s", e.Name)
					}
				}
			}
		})
	}
}

func TestPlainStateDict(t *testing.T) {
	// A state_dict as PyTorch saves it: no metadata, no optimizer, a
	// scalar num_batches_tracked.
	a := net(t, 1)
	var ts []safetensors.Tensor
	for _, e := range nn.StateDict(a) {
		shape := e.Tensor.Shape()
		if strings.HasSuffix(e.Name, "num_batches_tracked") {
			shape = []int{}
		}
		ts = append(ts, safetensors.Tensor{Name: e.Name, Shape: shape, Data: e.Tensor.Data()})
	}
	path := filepath.Join(t.TempDir(), "torch.safetensors")
	if err := safetensors.WriteFile(path, ts, nil); err != nil {
		t.Fatal(err)
	}
	b := net(t, 2)
	meta, err := Load(path, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if meta != nil {
		t.Errorf("metadata %v", meta)
	}
	equalState(t, a, b)
}

func TestNonFiniteRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.safetensors")
	a := net(t, 1)
	nn.StateDict(a)[0].Tensor.Data()[3] = float32(math.Inf(1))
	if err := Save(path, a, nil, nil); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path, net(t, 2), nil)
	if !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), `"0.weight" holds non-finite values (0 NaN, 1 infinite of 12)`) {
		t.Errorf("Load: %v", err)
	}
}

func TestReservedMetadata(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.safetensors")
	if err := Save(path, net(t, 1), nil, map[string]string{FormatKey: "mine"}); err == nil {
		t.Error("a metadata key of the format was accepted")
	}
}
