package viz_test

import (
	"bytes"
	"image/png"
	"math"
	"strings"
	"testing"

	"github.com/spikego/spikego/surrogate"
	"github.com/spikego/spikego/viz"
)

// decode checks that b is a PNG of the given size and returns the share
// of its pixels that are not white.
func decode(t *testing.T, b []byte, width, height int) float64 {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if got := img.Bounds().Size(); got.X != width || got.Y != height {
		t.Fatalf("image is %dx%d, want %dx%d", got.X, got.Y, width, height)
	}
	var ink int
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			if r, g, b, _ := img.At(x, y).RGBA(); r&g&b != 0xffff {
				ink++
			}
		}
	}
	return float64(ink) / float64(width*height)
}

func TestSurrogateFigure(t *testing.T) {
	for _, tc := range []struct {
		name          string
		names         []string
		alpha         float32
		width, height int
	}{
		{"all", nil, 0, 1600, 1200},
		{"all small", viz.DefaultSurrogates(), 0, 800, 600},
		{"every name", surrogate.Names(), 0, 1600, 4000},
		{"every name, alpha 3", surrogate.Names(), 3, 1600, 4000},
		{"odd size", nil, 0, 1001, 777},
		{"one", []string{"QGateGrad"}, 3, 400, 300},
		{"five", []string{"AtanGrad", "heaviside", "STDPGrad", "EIGrad", "RoundGrad"}, 0.5, 1200, 700},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := viz.SurrogateFigure(&buf, tc.names, tc.alpha, tc.width, tc.height); err != nil {
				t.Fatal(err)
			}
			if ink := decode(t, buf.Bytes(), tc.width, tc.height); ink < 0.02 || ink > 0.6 {
				t.Errorf("%.1f%% of the pixels are not white: the figure looks empty or flooded", 100*ink)
			}
		})
	}
}

func TestSurrogateFigureDefaultSize(t *testing.T) {
	var buf bytes.Buffer
	if err := viz.SurrogateFigure(&buf, []string{"AtanGrad"}, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	decode(t, buf.Bytes(), viz.DefaultWidth, viz.DefaultHeight)
}

func TestSurrogateFigureErrors(t *testing.T) {
	for _, tc := range []struct {
		name          string
		names         []string
		alpha         float32
		width, height int
		want          string
	}{
		{"unknown name", []string{"AtanGrad", "NoSuchGrad"}, 0, 800, 600, "NoSuchGrad"},
		{"case matters", []string{"atangrad"}, 0, 800, 600, "atangrad"},
		{"negative alpha", nil, -1, 800, 600, "alpha"},
		{"NaN alpha", nil, float32(math.NaN()), 800, 600, "alpha"},
		{"infinite alpha", nil, float32(math.Inf(1)), 800, 600, "alpha"},
		{"negative width", nil, 0, -5, 600, "too small"},
		{"too small", nil, 0, 100, 80, "too small"},
		{"too large", nil, 0, 1600, viz.MaxSide + 1, "too large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := viz.SurrogateFigure(&buf, tc.names, tc.alpha, tc.width, tc.height)
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

func BenchmarkSurrogateFigure(b *testing.B) {
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := viz.SurrogateFigure(&buf, nil, 0, viz.DefaultWidth, viz.DefaultHeight); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDefaultSurrogates checks that the default figure draws BrainCog's
// functions, each once, and that they are registered names.
func TestDefaultSurrogates(t *testing.T) {
	names := viz.DefaultSurrogates()
	if len(names) != 11 {
		t.Errorf("%d default surrogates, want BrainCog's 11: %v", len(names), names)
	}
	seen := map[string]bool{}
	for _, n := range names {
		k, err := surrogate.Lookup(n)
		if err != nil {
			t.Fatal(err)
		}
		if k.Library != "BrainCog" || seen[n] {
			t.Errorf("%s: library %s, seen before %v", n, k.Library, seen[n])
		}
		seen[n] = true
	}
}
