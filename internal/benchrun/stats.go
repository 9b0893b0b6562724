package benchrun

import (
	"math"
	"slices"
)

// WindowRates returns the throughputs (samples per second) of the
// consecutive windows of window full-size batches (of full samples) that
// follow the first warmup batches, given each batch's size and duration
// in seconds. An incomplete last window is left out. If there are not
// enough batches for one window, all full-size batches after the warm-up
// form one; if there are none, all batches do. It is the window_rates
// function of bench/peer/peer.py.
func WindowRates(sizes []int, secs []float64, warmup, window, full int) []float64 {
	var idx []int
	for i := warmup; i < len(sizes) && i < len(secs); i++ {
		if sizes[i] == full {
			idx = append(idx, i)
		}
	}
	var wins [][]int
	if window > 0 {
		for k := 0; k+window <= len(idx); k += window {
			wins = append(wins, idx[k:k+window])
		}
	}
	if len(wins) == 0 {
		if len(idx) == 0 {
			for i := range min(len(sizes), len(secs)) {
				idx = append(idx, i)
			}
		}
		wins = [][]int{idx}
	}
	var rates []float64
	for _, w := range wins {
		n, s := 0, 0.0
		for _, i := range w {
			n += sizes[i]
			s += secs[i]
		}
		if s > 0 {
			rates = append(rates, float64(n)/s)
		}
	}
	return rates
}

// AverageRate returns all samples divided by all the time, warm-up
// included, or 0 without time.
func AverageRate(sizes []int, secs []float64) float64 {
	n, s := 0, 0.0
	for i := range min(len(sizes), len(secs)) {
		n += sizes[i]
		s += secs[i]
	}
	if s <= 0 {
		return 0
	}
	return float64(n) / s
}

// Median returns the median of xs (the mean of the two middle values for
// an even count), or NaN for none. xs is not modified.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Summary is the median and range of one figure over several runs.
type Summary struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	// N is the number of runs; the other fields are NaN when it is 0
	// (and then left out of the JSON by Report).
	N int `json:"runs"`
}

// Summarize returns the summary of xs.
func Summarize(xs []float64) Summary {
	if len(xs) == 0 {
		return Summary{Median: math.NaN(), Min: math.NaN(), Max: math.NaN()}
	}
	return Summary{Median: Median(xs), Min: slices.Min(xs), Max: slices.Max(xs), N: len(xs)}
}

// Spread returns the range relative to the median, (Max-Min)/Median: 0.05
// means the runs lie within 5% of the median's size. It is NaN without
// runs or with a zero median.
func (s Summary) Spread() float64 {
	if s.N == 0 || s.Median == 0 {
		return math.NaN()
	}
	return (s.Max - s.Min) / math.Abs(s.Median)
}
