package viz_test

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/spikego/spikego/viz"
)

func TestLearningCurves(t *testing.T) {
	nan := math.NaN()
	var many []viz.EpochPoint
	for e := 1; e <= 80; e++ {
		x := float64(e)
		many = append(many, viz.EpochPoint{Epoch: e, TrainLoss: 2 * math.Exp(-x/10), TrainAcc: 1 - 0.9*math.Exp(-x/8), TestAcc: 0.97 - 0.9*math.Exp(-x/8)})
	}
	for _, tc := range []struct {
		name          string
		points        []viz.EpochPoint
		width, height int
	}{
		{"one epoch", []viz.EpochPoint{{Epoch: 1, TrainLoss: 0.41, TrainAcc: 0.874, TestAcc: 0.941}}, 1200, 500},
		{"three epochs", []viz.EpochPoint{{1, 0.41, 0.874, 0.941}, {2, 0.15, 0.955, 0.963}, {3, 0.10, 0.969, 0.970}}, 1000, 450},
		{"gaps", []viz.EpochPoint{{2, 0.5, 0.8, nan}, {4, math.Inf(1), 0.85, 0.86}, {9, 0.3, nan, 0.9}}, 800, 400},
		{"no test accuracy", []viz.EpochPoint{{0, 1, 0.5, nan}, {1, 0.5, 0.7, nan}}, 640, 360},
		{"constant", []viz.EpochPoint{{1, 0, 1, 1}, {2, 0, 1, 1}}, 640, 360},
		{"many", many, 1001, 577},
		{"smallest", many[:3], 360, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := viz.LearningCurves(&buf, tc.points, tc.width, tc.height); err != nil {
				t.Fatal(err)
			}
			if ink := decode(t, buf.Bytes(), tc.width, tc.height); ink < 0.01 || ink > 0.5 {
				t.Errorf("%.1f%% of the pixels are not white: the figure looks empty or flooded", 100*ink)
			}
		})
	}
}

// TestLearningCurvesPoints checks that the markers of a single epoch are
// drawn: its figure has more ink than that of an epoch without values.
func TestLearningCurvesPoints(t *testing.T) {
	nan := math.NaN()
	ink := func(p viz.EpochPoint) float64 {
		var buf bytes.Buffer
		if err := viz.LearningCurves(&buf, []viz.EpochPoint{p}, 800, 400); err != nil {
			t.Fatal(err)
		}
		return decode(t, buf.Bytes(), 800, 400)
	}
	with, without := ink(viz.EpochPoint{Epoch: 1, TrainLoss: 0.5, TrainAcc: 0.5, TestAcc: 0.5}), ink(viz.EpochPoint{Epoch: 1, TrainLoss: nan, TrainAcc: nan, TestAcc: nan})
	if !(with > without) {
		t.Errorf("ink with values %.4f, without %.4f: the point is not drawn", with, without)
	}
}

func TestLearningCurvesDefaultSize(t *testing.T) {
	var buf bytes.Buffer
	if err := viz.LearningCurves(&buf, []viz.EpochPoint{{1, 0.3, 0.9, 0.91}}, 0, 0); err != nil {
		t.Fatal(err)
	}
	decode(t, buf.Bytes(), viz.DefaultWidth, viz.DefaultHeight)
}

func TestLearningCurvesErrors(t *testing.T) {
	ok := []viz.EpochPoint{{1, 0.5, 0.8, 0.8}, {2, 0.4, 0.85, 0.84}}
	for _, tc := range []struct {
		name          string
		points        []viz.EpochPoint
		width, height int
		want          string
	}{
		{"nil", nil, 800, 600, "no epochs"},
		{"empty", []viz.EpochPoint{}, 800, 600, "no epochs"},
		{"repeated epoch", []viz.EpochPoint{{1, 0.5, 0.8, 0.8}, {1, 0.4, 0.85, 0.84}}, 800, 600, "increase"},
		{"decreasing epochs", []viz.EpochPoint{{3, 0.5, 0.8, 0.8}, {2, 0.4, 0.85, 0.84}}, 800, 600, "increase"},
		{"accuracy in percent", []viz.EpochPoint{{1, 0.5, 80, 0.8}}, 800, 600, "fraction"},
		{"negative accuracy", []viz.EpochPoint{{1, 0.5, 0.8, -0.1}}, 800, 600, "fraction"},
		{"infinite accuracy", []viz.EpochPoint{{1, 0.5, 0.8, math.Inf(1)}}, 800, 600, "fraction"},
		{"negative width", ok, -5, 600, "too small"},
		{"too small", ok, 300, 600, "too small"},
		{"too large", ok, viz.MaxSide + 1, 600, "too large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := viz.LearningCurves(&buf, tc.points, tc.width, tc.height)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
			if buf.Len() != 0 {
				t.Errorf("%d bytes written despite the error", buf.Len())
			}
		})
	}
}

func BenchmarkLearningCurves(b *testing.B) {
	points := make([]viz.EpochPoint, 50)
	for i := range points {
		points[i] = viz.EpochPoint{Epoch: i + 1, TrainLoss: 1 / float64(i+1), TrainAcc: 0.9, TestAcc: 0.88}
	}
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := viz.LearningCurves(&buf, points, viz.DefaultWidth, viz.DefaultHeight); err != nil {
			b.Fatal(err)
		}
	}
}

// run returns the epoch points and the batch windows, perEpoch of them an
// epoch, of a plausible training run of the given length.
func run(epochs, perEpoch int) ([]viz.EpochPoint, []viz.WindowPoint) {
	var es []viz.EpochPoint
	var ws []viz.WindowPoint
	for e := range epochs {
		var loss, acc float64
		for i := 1; i <= perEpoch; i++ {
			x := float64(e) + float64(i)/float64(perEpoch)
			wiggle := 0.03 * math.Sin(float64(7*i+e))
			w := viz.WindowPoint{Epoch: x, Loss: 0.3 + 2*math.Exp(-3*x) + wiggle, Acc: 0.9 - 0.8*math.Exp(-3*x) + wiggle}
			ws = append(ws, w)
			loss += w.Loss / float64(perEpoch)
			acc += w.Acc / float64(perEpoch)
		}
		es = append(es, viz.EpochPoint{Epoch: e + 1, TrainLoss: loss, TrainAcc: acc, TestAcc: acc - 0.02})
	}
	return es, ws
}

func TestTrainingCurves(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	one, oneW := run(1, 20)
	thirty, thirtyW := run(30, 20)
	fifty, fiftyW := run(50, 20)
	for _, tc := range []struct {
		name          string
		epochs        []viz.EpochPoint
		windows       []viz.WindowPoint
		width, height int
	}{
		{"one epoch, 20 windows", one, oneW, 1600, 1200},
		{"one epoch, 20 windows, small", one, oneW, 800, 400},
		{"30 epochs, 600 windows", thirty, thirtyW, 1600, 1200},
		{"50 epochs, 1000 windows", fifty, fiftyW, 1600, 1200},
		{"no windows", thirty[:3], nil, 1000, 450},
		{"windows only", nil, oneW[:7], 1000, 450},
		{"one window", nil, oneW[:1], 640, 360},
		{"window at 0 and epoch 0", []viz.EpochPoint{{0, 2.3, 0.1, 0.1}, {1, 0.5, 0.8, 0.8}}, []viz.WindowPoint{{0, 2.3, 0.1}, {0.5, 1, 0.5}, {1, 0.4, 0.85}}, 800, 500},
		{"missing values", one, []viz.WindowPoint{{0.25, 1, 0.4}, {0.5, nan, nan}, {0.75, inf, 0.6}, {1, 0.5, 0.7}}, 800, 500},
		{"windows past the last epoch", one, append(slices.Clone(thirtyW[:20]), thirtyW[20:27]...), 800, 500},
		{"smallest", one, oneW, 360, 200},
		{"odd size", fifty, fiftyW, 1001, 577},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := viz.TrainingCurves(&buf, tc.epochs, tc.windows, tc.width, tc.height); err != nil {
				t.Fatal(err)
			}
			if ink := decode(t, buf.Bytes(), tc.width, tc.height); ink < 0.01 || ink > 0.5 {
				t.Errorf("%.1f%% of the pixels are not white: the figure looks empty or flooded", 100*ink)
			}
		})
	}
}

func TestTrainingCurvesDefaultSize(t *testing.T) {
	es, ws := run(1, 20)
	var buf bytes.Buffer
	if err := viz.TrainingCurves(&buf, es, ws, 0, 0); err != nil {
		t.Fatal(err)
	}
	decode(t, buf.Bytes(), viz.DefaultWidth, viz.DefaultHeight)
}

func TestTrainingCurvesErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	es, ws := run(1, 4)
	with := func(i int, w viz.WindowPoint) []viz.WindowPoint {
		out := slices.Clone(ws)
		out[i] = w
		return out
	}
	for _, tc := range []struct {
		name          string
		epochs        []viz.EpochPoint
		windows       []viz.WindowPoint
		width, height int
		want          string
	}{
		{"nothing", nil, nil, 800, 600, "no epochs and no batch windows"},
		{"empty", []viz.EpochPoint{}, []viz.WindowPoint{}, 800, 600, "no epochs and no batch windows"},
		{"NaN position", es, with(2, viz.WindowPoint{nan, 1, 0.5}), 800, 600, "batch window 2 is at epoch NaN: want a finite position"},
		{"infinite position", es, with(3, viz.WindowPoint{inf, 1, 0.5}), 800, 600, "batch window 3 is at epoch +Inf"},
		{"negative position", es, with(0, viz.WindowPoint{-0.25, 1, 0.5}), 800, 600, "positions start at 0"},
		{"repeated position", es, with(2, ws[1]), 800, 600, "window 2 at epoch 0.5 follows window 1 at epoch 0.5"},
		{"decreasing positions", es, with(3, viz.WindowPoint{0.1, 1, 0.5}), 800, 600, "must increase"},
		{"accuracy in percent", es, with(1, viz.WindowPoint{0.5, 1, 50}), 800, 600, "training accuracy of batch window 1 (at epoch 0.5) is 50"},
		{"negative accuracy", nil, with(1, viz.WindowPoint{0.5, 1, -0.1}), 800, 600, "fraction"},
		{"infinite accuracy", nil, with(1, viz.WindowPoint{0.5, 1, inf}), 800, 600, "fraction"},
		{"bad epoch with windows", []viz.EpochPoint{{2, 0.5, 0.8, 0.8}, {1, 0.4, 0.85, 0.84}}, ws, 800, 600, "epochs must increase"},
		{"too small", es, ws, 359, 600, "too small"},
		{"too large", es, ws, 800, viz.MaxSide + 1, "too large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := viz.TrainingCurves(&buf, tc.epochs, tc.windows, tc.width, tc.height)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
			if buf.Len() != 0 {
				t.Errorf("%d bytes written despite the error", buf.Len())
			}
		})
	}
}

func BenchmarkTrainingCurves(b *testing.B) {
	es, ws := run(50, 20)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := viz.TrainingCurves(&buf, es, ws, viz.DefaultWidth, viz.DefaultHeight); err != nil {
			b.Fatal(err)
		}
	}
}
