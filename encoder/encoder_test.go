package encoder_test

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/spikego/spikego/encoder"
	"github.com/spikego/spikego/tensor"
)

func mustTensor(data []float32, shape ...int) *tensor.Tensor {
	t, err := tensor.FromSlice(data, shape...)
	if err != nil {
		panic(err)
	}
	return t
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0xe4c0de)) }

func TestDirect(t *testing.T) {
	x := mustTensor([]float32{0.5, -1, 2, 0, 0.25, 3}, 2, 3)
	out, err := encoder.Direct(x, 4)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := out.Shape(), []int{4, 2, 3}; !reflect.DeepEqual(got, want) {
		t.Fatalf("shape %v, want %v", got, want)
	}
	for step := 0; step < 4; step++ {
		for i, v := range x.Data() {
			if got := out.Data()[step*6+i]; got != v {
				t.Errorf("out[%d] element %d = %v, want %v", step, i, got, v)
			}
		}
	}
	x.Data()[0] = 9
	if out.Data()[0] != 0.5 {
		t.Error("Direct's output shares the input's storage")
	}

	s, err := encoder.Direct(tensor.Scalar(7), 3)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Shape(), []int{3}) || !reflect.DeepEqual(s.Data(), []float32{7, 7, 7}) {
		t.Errorf("Direct of a scalar: %v", s)
	}
}

func TestPoissonRates(t *testing.T) {
	const T = 20000
	xs := []float32{0, 0.05, 0.25, 0.5, 0.9, 1, -0.5, 1.5, float32(math.NaN())}
	want := []float64{0, 0.05, 0.25, 0.5, 0.9, 1, 0, 1, 0}
	out, err := encoder.Poisson(mustTensor(xs, 1, len(xs)), T, newRand(1))
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Shape(); !reflect.DeepEqual(got, []int{T, 1, len(xs)}) {
		t.Fatalf("shape %v", got)
	}
	counts := make([]int, len(xs))
	for i, v := range out.Data() {
		switch v {
		case 1:
			counts[i%len(xs)]++
		case 0:
		default:
			t.Fatalf("element %d = %v, want 0 or 1", i, v)
		}
	}
	for i, p := range want {
		mean := float64(T) * p
		sd := math.Sqrt(float64(T) * p * (1 - p))
		if d := math.Abs(float64(counts[i]) - mean); d > 5*sd {
			t.Errorf("x = %v: %d spikes in %d steps, want %.0f ± %.0f (5 sd)", xs[i], counts[i], T, mean, 5*sd)
		}
	}
	// Exact at the ends: never below 0, always at 1.
	for i, x := range xs {
		if (want[i] == 0 && counts[i] != 0) || (want[i] == 1 && counts[i] != T) {
			t.Errorf("x = %v: %d spikes in %d steps", x, counts[i], T)
		}
	}
}

func TestPoissonDeterministic(t *testing.T) {
	x := mustTensor([]float32{0.1, 0.3, 0.5, 0.7, 0.9, 0.2}, 2, 3)
	a, err := encoder.Poisson(x, 50, newRand(42))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := encoder.Poisson(x, 50, newRand(42))
	c, _ := encoder.Poisson(x, 50, newRand(43))
	if !reflect.DeepEqual(a.Data(), b.Data()) {
		t.Error("the same seed gave different spike trains")
	}
	if reflect.DeepEqual(a.Data(), c.Data()) {
		t.Error("different seeds gave the same spike train")
	}
	if got := a.Shape(); !reflect.DeepEqual(got, []int{50, 2, 3}) {
		t.Errorf("shape %v", got)
	}
}

func TestLatencyStep(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	cases := []struct {
		x    float32
		T    int
		want int
	}{
		{1, 5, 0},
		{0.75, 5, 1},       // 0.25*4 = 1
		{0.5, 5, 2},        // 0.5*4 = 2
		{0.375, 5, 3},      // 0.625*4 = 2.5, halves round up
		{0.25, 5, 3},       // 0.75*4 = 3
		{0.125, 5, 4},      // 0.875*4 = 3.5 -> 4
		{0.01, 5, 4},       // 3.96
		{1e-30, 5, 4},      // just above 0: last step
		{0, 5, -1},         // never
		{-0.3, 5, -1},      // never
		{1.7, 5, 0},        // clamped to 1
		{inf, 5, 0},        // clamped to 1
		{nan, 5, -1},       // never
		{0.1, 11, 9},       // (1-0.1f)*10 = 8.99999998
		{0.9, 11, 1},       // (1-0.9f)*10 = 1.00000024
		{0.5, 1, 0},        // a single step
		{0.001, 1, 0},      // a single step
		{0.5, 100, 50},     // 0.5*99 = 49.5 -> 50
		{0.5, 0, -1},       // bad T
		{0.5, -3, -1},      // bad T
		{0.2, 6, 4},        // (1-0.2f)*5 = 3.99999999
		{0.3, 6, 3},        // 0.3f is 0.30000001: 3.49999994
		{0.7, 6, 2},        // 0.7f is 0.69999999: 1.50000006
		{0.6, 6, 2},        // 0.6f is 0.60000002: 1.99999988
		{0.49999997, 3, 1}, // 1.00000006
	}
	for _, c := range cases {
		if got := encoder.LatencyStep(c.x, c.T); got != c.want {
			t.Errorf("LatencyStep(%v, %d) = %d, want %d", c.x, c.T, got, c.want)
		}
	}
}

func TestLatency(t *testing.T) {
	const T = 5
	x := mustTensor([]float32{1, 0.75, 0.5, 0.375, 0.25, 0.125, 0, -1}, 2, 4)
	out, err := encoder.Latency(x, T)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Shape(); !reflect.DeepEqual(got, []int{T, 2, 4}) {
		t.Fatalf("shape %v", got)
	}
	// want[t] is the output at step t, row-major over [2, 4].
	want := [T][]float32{
		{1, 0, 0, 0, 0, 0, 0, 0},
		{0, 1, 0, 0, 0, 0, 0, 0},
		{0, 0, 1, 0, 0, 0, 0, 0},
		{0, 0, 0, 1, 1, 0, 0, 0},
		{0, 0, 0, 0, 0, 1, 0, 0},
	}
	for step := range T {
		if got := out.Data()[step*8 : (step+1)*8]; !reflect.DeepEqual(got, want[step]) {
			t.Errorf("step %d: %v, want %v", step, got, want[step])
		}
	}
}

func TestErrors(t *testing.T) {
	x := mustTensor([]float32{0.5}, 1)
	rng := newRand(1)
	check := func(name string, out *tensor.Tensor, err error, want string) {
		t.Helper()
		if out != nil || err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: (%v, %v), want an error containing %q", name, out, err, want)
		}
	}
	for _, T := range []int{0, -1} {
		out, err := encoder.Direct(x, T)
		check("Direct T<1", out, err, "T = ")
		out, err = encoder.Poisson(x, T, rng)
		check("Poisson T<1", out, err, "T = ")
		out, err = encoder.Latency(x, T)
		check("Latency T<1", out, err, "T = ")
	}
	out, err := encoder.Direct(nil, 3)
	check("Direct nil", out, err, "nil tensor")
	out, err = encoder.Poisson(nil, 3, rng)
	check("Poisson nil", out, err, "nil tensor")
	out, err = encoder.Latency(nil, 3)
	check("Latency nil", out, err, "nil tensor")
	out, err = encoder.Poisson(x, 3, nil)
	check("Poisson nil rng", out, err, "nil random generator")
	big := tensor.New(1<<20, 1<<10)
	out, err = encoder.Direct(big, 1<<20)
	check("Direct too large", out, err, "too large")
}
