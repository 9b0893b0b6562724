package viz_test

import (
	"bytes"
	"math"
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
