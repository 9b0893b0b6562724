package benchrun

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

func TestWindowRates(t *testing.T) {
	// Eight steps of 4 samples, the last partial (2 samples); the
	// expected rates are worked by hand from the durations.
	sizes := []int{4, 4, 4, 4, 4, 4, 4, 2}
	secs := []float64{1, 0.5, 0.25, 0.5, 0.5, 1, 0.25, 0.1}
	for _, tc := range []struct {
		name                 string
		warmup, window, full int
		want                 []float64
	}{
		// full steps after 2: 2..6; windows {2,3} and {4,5}; step 6 is
		// an incomplete window and is left out.
		{"two windows", 2, 2, 4, []float64{8 / 0.75, 8 / 1.5}},
		// not enough for a window of 10: steps 2..6 form one.
		{"one short window", 2, 10, 4, []float64{20 / 2.5}},
		// no full step after 7: every step forms one window.
		{"no full step", 7, 2, 4, []float64{30 / 4.1}},
		// no warm-up, windows of 1: every full step alone.
		{"windows of one", 0, 1, 4, []float64{4, 8, 16, 8, 8, 4, 16}},
		// the partial step is never in a window of full steps.
		{"full is 2", 0, 1, 2, []float64{20}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := WindowRates(sizes, secs, tc.warmup, tc.window, tc.full)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if math.Abs(got[i]-tc.want[i]) > 1e-12*tc.want[i] {
					t.Errorf("window %d: got %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
	if got := WindowRates(sizes, make([]float64, len(sizes)), 0, 2, 4); len(got) != 0 {
		t.Errorf("zero durations: got rates %v, want none", got)
	}
	if got := WindowRates(nil, nil, 3, 2, 4); len(got) != 0 {
		t.Errorf("no steps: got rates %v, want none", got)
	}
}

func TestAverageRate(t *testing.T) {
	if got, want := AverageRate([]int{4, 4, 2}, []float64{1, 0.5, 0.5}), 10/2.0; got != want {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := AverageRate([]int{4}, []float64{0}); got != 0 {
		t.Errorf("without time: got %v, want 0", got)
	}
}

func TestMedianAndSummary(t *testing.T) {
	odd := []float64{3, 1, 2}
	if got := Median(odd); got != 2 {
		t.Errorf("Median(3,1,2) = %v, want 2", got)
	}
	if !slices.Equal(odd, []float64{3, 1, 2}) {
		t.Errorf("Median reordered its argument: %v", odd)
	}
	if got := Median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("Median(4,1,3,2) = %v, want 2.5", got)
	}
	if got := Median(nil); !math.IsNaN(got) {
		t.Errorf("Median() = %v, want NaN", got)
	}
	s := Summarize([]float64{110, 90, 100})
	if s != (Summary{Median: 100, Min: 90, Max: 110, N: 3}) {
		t.Errorf("Summarize = %+v", s)
	}
	if got := s.Spread(); math.Abs(got-0.2) > 1e-15 {
		t.Errorf("Spread = %v, want 0.2", got)
	}
	empty := Summarize(nil)
	if empty.N != 0 || !math.IsNaN(empty.Median) || !math.IsNaN(empty.Spread()) {
		t.Errorf("Summarize() = %+v, spread %v", empty, empty.Spread())
	}
}

func ExampleWindowRates() {
	// Six training steps of 100 samples; the first (warm-up) is slow.
	sizes := []int{100, 100, 100, 100, 100, 100}
	secs := []float64{1, 0.1, 0.1, 0.05, 0.05, 0.1}
	rates := WindowRates(sizes, secs, 1, 2, 100)
	fmt.Printf("windows %.0f, median %.0f samples/s\n", rates, Median(rates))
	fmt.Printf("whole run %.0f samples/s\n", AverageRate(sizes, secs))
	// Output:
	// windows [1000 2000], median 1500 samples/s
	// whole run 429 samples/s
}
