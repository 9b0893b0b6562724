package nn

import (
	"math"
	"strings"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// spikeLossFuncs maps every registry name to a function of (out, labels)
// with the loss's defaults, for the tests that treat all losses alike.
func spikeLossFuncs(t *testing.T) map[string]func(*autograd.Var, []int) (*autograd.Var, error) {
	t.Helper()
	m := map[string]func(*autograd.Var, []int) (*autograd.Var, error){}
	for _, n := range SpikeLossNames() {
		l, err := NewSpikeLoss(n)
		if err != nil {
			t.Fatal(err)
		}
		m[n] = l.Loss
	}
	return m
}

// binarySpikes returns a [T, B, C] tensor of 0/1 values from a fixed
// pattern.
func binarySpikes(T, B, C int) *tensor.Tensor {
	x := tensor.New(T, B, C)
	for i := range x.Data() {
		if (i*7+3)%5 < 2 {
			x.Data()[i] = 1
		}
	}
	return x
}

// TestCrossEntropyRateIsTheReferenceLoss checks that CrossEntropyRate gives
// bit for bit the value and gradient of the loss spikego's reference
// models and trainer compute today, CrossEntropy(MeanAxis(out, 0)).
func TestCrossEntropyRateIsTheReferenceLoss(t *testing.T) {
	for _, x := range []*tensor.Tensor{binarySpikes(8, 5, 10), randUniform(NewRand(3), -2, 2, 2, 7, 4)} {
		labels := make([]int, x.Dim(1))
		for i := range labels {
			labels[i] = (3 * i) % x.Dim(2)
		}
		a := autograd.NewVar(x.Clone(), true)
		got, err := CrossEntropyRate(a, labels)
		if err != nil {
			t.Fatal(err)
		}
		b := autograd.NewVar(x.Clone(), true)
		want, err := CrossEntropy(autograd.MeanAxis(b, 0, false), labels)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := got.Value().Item(), want.Value().Item(); math.Float32bits(g) != math.Float32bits(w) {
			t.Errorf("value %v, reference %v", g, w)
		}
		for _, v := range []*autograd.Var{got, want} {
			if err := autograd.Backward(v, nil); err != nil {
				t.Fatal(err)
			}
		}
		for i, g := range a.Grad().Data() {
			if w := b.Grad().Data()[i]; math.Float32bits(g) != math.Float32bits(w) {
				t.Fatalf("gradient element %d = %v, reference %v", i, g, w)
			}
		}
	}
}

// TestSpikeLossHandValues checks each definition on a case small enough to
// work by hand: T=2, B=1, C=2, label 0, spikes out[0] = (1, 0), out[1] =
// (1, 1) (so counts (2, 1), rates (1, 0.5), first spikes (0, 1)), and the
// same numbers as membranes.
func TestSpikeLossHandValues(t *testing.T) {
	ce := func(a, b float64) float64 { return math.Log(math.Exp(a)+math.Exp(b)) - a } // CE with label 0
	cases := []struct {
		spec string
		want float64
	}{
		{"cross_entropy_rate", ce(1, 0.5)},
		{"mse_rate", (0 + 0.25) / 2},
		{"ce_rate_loss", (ce(1, 0) + ce(1, 1)) / 2},
		{"ce_count_loss", ce(2, 1)},
		{"mse_count_loss", ((2-2)*(2-2) + (1-0)*(1-0)) / 2.0 / 2},
		{"mse_count_loss(correct_rate=0.5, incorrect_rate=0.5)", ((2-1)*(2-1) + (1-1)*(1-1)) / 2.0 / 2},
		{"mse_temporal_loss", (0 + 0.5*0.5) / 2},                                  // targets all 0 (snnTorch's clamp)
		{"mse_temporal_loss(on_target=0, off_target=1)", 0},                       // first spikes (0, 1) on target
		{"mse_temporal_loss(on_target=1, off_target=0)", (0.5*0.5 + 0.5*0.5) / 2}, // on > off: others max(0, 0)
		{"mse_temporal_loss(on_target=1, off_target=3, tolerance=1.5)", 0.5},      // t=0 within 1.5 of 1; t=1 vs 3: 2/2
		{"ce_temporal_loss", ce(0, -1)},
		{"ce_temporal_loss(inverse='reciprocal')", ce(1, 0.5)},
		{"ce_max_membrane_loss", ce(1, 1)},
		{"mse_membrane_loss", ((0 + 0) + (0 + 1)) / 2.0 / 2},
		{"ce_per_step_membrane_loss", ce(1, 0) + ce(1, 1)},
		{"ce_mean_membrane_loss", ce(1, 0.5)},
		{"ce_last_membrane_loss", ce(1, 1)},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		l, err := NewSpikeLoss(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		seen[l.Name()] = true
		x, _ := tensor.FromSlice([]float32{1, 0, 1, 1}, 2, 1, 2)
		v, err := l.Loss(autograd.NewVar(x, true), []int{0})
		if err != nil {
			t.Fatalf("%s: %v", c.spec, err)
		}
		if got := float64(v.Value().Item()); math.Abs(got-c.want) > 1e-6*math.Max(1, math.Abs(c.want)) {
			t.Errorf("%s = %v, want %v", c.spec, got, c.want)
		}
	}
	for _, n := range SpikeLossNames() {
		if !seen[n] {
			t.Errorf("no hand-worked case for %s", n)
		}
	}
}

// TestSpikeLossPopulationHand checks the population code on T=1, B=1,
// C=4 outputs in 2 classes: blocks (1,1) and (0,1) count 2 and 1.
func TestSpikeLossPopulationHand(t *testing.T) {
	x, _ := tensor.FromSlice([]float32{1, 1, 0, 1}, 1, 1, 4)
	v, err := CECountLossPopulation(autograd.NewVar(x, false), []int{1}, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := math.Log(math.Exp(2)+math.Exp(1)) - 1
	if got := float64(v.Value().Item()); math.Abs(got-want) > 1e-6 {
		t.Errorf("ce_count_loss population = %v, want %v", got, want)
	}
	// mse_count_loss(correct_rate=1, incorrect_rate=0.5): targets
	// int(1*1*2) = 2 for class 1 and int(1*0.5*2) = 1 for class 0.
	v, err = MSECountLossPopulation(autograd.NewVar(x, false), []int{1}, 2, 1, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Value().Item(); got != ((2-1)*(2-1)+(1-2)*(1-2))/2.0 {
		t.Errorf("mse_count_loss population = %v, want 1", got)
	}
}

// TestSpikeLossGradients checks the gradients of the differentiable losses
// against finite differences, on membranes away from ties.
func TestSpikeLossGradients(t *testing.T) {
	fns := spikeLossFuncs(t)
	labels := []int{2, 0, 1}
	for _, name := range SpikeLossNames() {
		if strings.Contains(name, "temporal") {
			continue // a sign estimator, not a derivative: checked against snnTorch's golden values
		}
		t.Run(name, func(t *testing.T) {
			x := randUniform(NewRand(11), -3, 3, 4, 3, 3) // maxima over time apart by more than the step
			checkGrad(t, func(in []*autograd.Var) *autograd.Var {
				v, err := fns[name](in[0], labels)
				if err != nil {
					panic(err)
				}
				return v
			}, x)
		})
	}
}

func TestSpikeLossErrors(t *testing.T) {
	fns := spikeLossFuncs(t)
	good := autograd.NewVar(binarySpikes(3, 2, 4), true)
	cases := []struct {
		name   string
		out    *autograd.Var
		labels []int
		want   string
	}{
		{"nil", nil, []int{0, 1}, "nil output"},
		{"2-d", autograd.NewVar(tensor.New(2, 4), true), []int{0, 1}, "must be [steps, batch, classes]"},
		{"no steps", autograd.NewVar(tensor.New(0, 2, 4), true), []int{0, 1}, "empty output"},
		{"no classes", autograd.NewVar(tensor.New(3, 2, 0), true), []int{0, 1}, "empty output"},
		{"labels short", good, []int{0}, "1 labels for output of shape [3 2 4]"},
		{"label high", good, []int{0, 4}, "labels[1] = 4 is outside [0, 4)"},
		{"label negative", good, []int{-1, 0}, "labels[0] = -1 is outside [0, 4)"},
	}
	for _, name := range SpikeLossNames() {
		for _, c := range cases {
			_, err := fns[name](c.out, c.labels)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "nn: "+name+": ") {
				t.Errorf("%s, %s: error %v, want one naming %q and the loss", name, c.name, err, c.want)
			}
		}
	}

	x := autograd.NewVar(binarySpikes(3, 2, 6), true)
	half := tensor.Full(0.5, 3, 2, 6)
	for _, c := range []struct {
		name string
		err  func() error
		want string
	}{
		{"population zero classes", func() error { _, err := CECountLossPopulation(x, []int{0, 1}, 0); return err }, "num_classes > 0"},
		{"population not dividing", func() error { _, err := CECountLossPopulation(x, []int{0, 1}, 4); return err }, "does not divide the 6 outputs"},
		{"population label", func() error { _, err := MSECountLossPopulation(x, []int{0, 3}, 3, 1, 0); return err }, "labels[1] = 3 is outside [0, 3)"},
		{"rate NaN", func() error { _, err := MSECountLoss(x, []int{0, 1}, math.NaN(), 0); return err }, "correct_rate = NaN is not finite"},
		{"rate huge", func() error { _, err := MSECountLoss(x, []int{0, 1}, 1, 1e30); return err }, "incorrect_rate = 1e+30 gives a target count"},
		{"target inf", func() error { _, err := MSEMembraneLoss(x, []int{0, 1}, math.Inf(1), 0); return err }, "on_target = +Inf is not a finite float32"},
		{"target beyond float32", func() error { _, err := MSEMembraneLoss(x, []int{0, 1}, 1, 1e39); return err }, "off_target = 1e+39"},
		{"tolerance negative", func() error { _, err := MSETemporalLoss(x, []int{0, 1}, 0, -1, -1); return err }, "tolerance = -1 must be finite and >= 0"},
		{"not spikes mse", func() error {
			_, err := MSETemporalLoss(autograd.NewVar(half, true), []int{0, 1}, 0, -1, 0)
			return err
		}, "output element 0 is 0.5, not a spike"},
		{"not spikes ce", func() error { _, err := CETemporalLoss(autograd.NewVar(half, true), []int{0, 1}, "negate"); return err }, "not a spike"},
		{"inverse", func() error { _, err := CETemporalLoss(x, []int{0, 1}, "invert"); return err }, `inverse must be "negate" or "reciprocal", got "invert"`},
	} {
		if err := c.err(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// TestSpikeLossNoGrad checks that the losses work on outputs that do not
// require a gradient (evaluation).
func TestSpikeLossNoGrad(t *testing.T) {
	for name, f := range spikeLossFuncs(t) {
		v, err := f(autograd.NewVar(binarySpikes(4, 3, 5), false), []int{4, 0, 2})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if v.RequiresGrad() || v.Value().Dims() != 0 {
			t.Errorf("%s: RequiresGrad %v, shape %v", name, v.RequiresGrad(), v.Shape())
		}
	}
}

func TestNewSpikeLoss(t *testing.T) {
	cases := []struct {
		spec, canon string
		input       LossInput
	}{
		{"cross_entropy_rate", "cross_entropy_rate", SpikeInput},
		{"  ce_rate_loss()  ", "ce_rate_loss", SpikeInput},
		{"mse_count_loss(correct_rate=0.8, incorrect_rate=0.2)", "mse_count_loss(correct_rate=0.8, incorrect_rate=0.2)", SpikeInput},
		{"mse_count_loss( incorrect_rate = 0.2 , correct_rate=1)", "mse_count_loss(incorrect_rate=0.2)", SpikeInput},
		{"ce_count_loss(population_code=true, num_classes=10)", "ce_count_loss(population_code=True, num_classes=10)", SpikeInput},
		{"ce_count_loss(num_classes=10)", "ce_count_loss(num_classes=10)", SpikeInput},
		{`ce_temporal_loss(inverse="reciprocal")`, "ce_temporal_loss(inverse='reciprocal')", SpikeInput},
		{"ce_temporal_loss(inverse=negate)", "ce_temporal_loss", SpikeInput},
		{"mse_temporal_loss(off_target=24, tolerance=2)", "mse_temporal_loss(off_target=24, tolerance=2)", SpikeInput},
		{"mse_membrane_loss(on_target=1.05, off_target=0.2)", "mse_membrane_loss(on_target=1.05, off_target=0.2)", MembraneInput},
		{"ce_max_membrane_loss", "ce_max_membrane_loss", MembraneInput},
	}
	for _, c := range cases {
		l, err := NewSpikeLoss(c.spec)
		if err != nil {
			t.Errorf("%q: %v", c.spec, err)
			continue
		}
		if l.String() != c.canon || l.Input() != c.input {
			t.Errorf("%q: String %q, Input %v; want %q, %v", c.spec, l.String(), l.Input(), c.canon, c.input)
		}
		again, err := NewSpikeLoss(l.String())
		if err != nil || again.String() != l.String() {
			t.Errorf("%q: round trip gives %v, %v", c.spec, again, err)
		}
	}
}

func TestNewSpikeLossErrors(t *testing.T) {
	cases := []struct{ spec, want string }{
		{"", "empty loss name"},
		{"ce_rate_los", `unknown spike loss "ce_rate_los" (did you mean "ce_rate_loss"?`},
		{"MSE_Count_Loss", `unknown spike loss "MSE_Count_Loss" (did you mean "mse_count_loss"?`},
		{"crossentropy", `unknown spike loss "crossentropy" (known: cross_entropy_rate, mse_rate,`},
		{"ce rate loss", `unexpected ' ' at offset 2`},
		{"mse_count_loss(correct_rate=0.8", "missing ')'"},
		{"mse_count_loss(correct_rat=0.8)", `unknown parameter of mse_count_loss "correct_rat" (did you mean "correct_rate"?`},
		{"mse_count_loss(0.8, 0.2)", `parameter "0.8" at offset 15 is not key=value`},
		{"mse_count_loss(correct_rate=0.8, incorrect_rate)", `parameter "incorrect_rate" at offset 32 is not key=value`},
		{"mse_count_loss(correct_rate=)", "is not key=value"},
		{"mse_count_loss(correct_rate=0.8, correct_rate=0.7)", "correct_rate given twice"},
		{"mse_count_loss(correct_rate=high)", `correct_rate: "high" is not a finite number`},
		{"mse_count_loss(correct_rate=nan)", "is not a finite number"},
		{"ce_count_loss(num_classes=2.5)", `num_classes: "2.5" is not an integer`},
		{"ce_count_loss(population_code=yes)", `"yes" is not True or False`},
		{"ce_count_loss(population_code=True)", "population_code=True needs num_classes > 0"},
		{"ce_temporal_loss(inverse='log')", `inverse must be 'negate' or 'reciprocal', got "log"`},
		{"ce_rate_loss(reduction='sum')", `ce_rate_loss takes no parameters, got "reduction"`},
		{"mse_membrane_loss(time_var_targets=True)", `unknown parameter of mse_membrane_loss "time_var_targets"`},
	}
	for _, c := range cases {
		_, err := NewSpikeLoss(c.spec)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewSpikeLoss(%q): error %v, want one containing %q", c.spec, err, c.want)
		}
	}
}

func TestZeroSpikeLoss(t *testing.T) {
	var l SpikeLoss
	if _, err := l.Loss(autograd.NewVar(binarySpikes(1, 1, 2), false), []int{0}); err == nil {
		t.Error("zero SpikeLoss gave no error")
	}
}

func TestSpikeLossNames(t *testing.T) {
	names := SpikeLossNames()
	if len(names) != 12 || names[0] != "cross_entropy_rate" {
		t.Errorf("SpikeLossNames() = %v", names)
	}
	names[0] = "changed"
	if SpikeLossNames()[0] != "cross_entropy_rate" {
		t.Error("SpikeLossNames shares its slice")
	}
	for _, n := range SpikeLossNames() {
		l, err := NewSpikeLoss(n)
		if err != nil || l.Name() != n || l.String() != n {
			t.Errorf("NewSpikeLoss(%q) = %v (name %q), %v", n, l, l.Name(), err)
		}
	}
	if SpikeInput.String() != "spikes" || MembraneInput.String() != "membrane" || LossInput(7).String() != "LossInput(7)" {
		t.Error("LossInput.String")
	}
}
