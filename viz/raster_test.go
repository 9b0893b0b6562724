package viz_test

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/spikego/spikego/viz"
)

// randomPanel returns a panel of steps by neurons with spikes at the given
// rate.
func randomPanel(r *rand.Rand, title string, steps, neurons int, rate float64) viz.RasterPanel {
	s := make([]float32, steps*neurons)
	for i := range s {
		if r.Float64() < rate {
			s[i] = 1
		}
	}
	return viz.RasterPanel{Title: title, Steps: steps, Neurons: neurons, Spikes: s}
}

func TestSpikeRaster(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cnn := []viz.RasterPanel{
		randomPanel(r, "conv1.lif, image 0", 4, 25088, 0.1),
		randomPanel(r, "fc1.lif, image 0", 4, 128, 0.2),
		randomPanel(r, "out.lif, image 0", 4, 10, 0.3),
		randomPanel(r, "conv1.lif, image 1", 4, 25088, 0.1),
		randomPanel(r, "fc1.lif, image 1", 4, 128, 0.2),
		randomPanel(r, "out.lif, image 1", 4, 10, 0.3),
	}
	for _, tc := range []struct {
		name          string
		title         string
		panels        []viz.RasterPanel
		cols          int
		width, height int
	}{
		{"cnn", "Spikes", cnn, 3, 1600, 900},
		{"automatic columns", "Spikes", cnn, 0, 1200, 900},
		{"more columns than panels", "", cnn[:2], 5, 900, 400},
		{"one neuron one step", "tiny", []viz.RasterPanel{{Title: "x", Steps: 1, Neurons: 1, Spikes: []float32{1}}}, 1, 300, 200},
		{"long", "long", []viz.RasterPanel{randomPanel(r, "", 500, 50, 0.05)}, 1, 777, 333},
		{"one column", "column", cnn[:3], 1, 500, 900},
		{"named and marked", "Spikes", labelled(cnn), 3, 1600, 1200},
		{"named and marked small", "Spikes", labelled(cnn), 3, 800, 600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := viz.SpikeRaster(&buf, tc.title, tc.panels, tc.cols, tc.width, tc.height); err != nil {
				t.Fatal(err)
			}
			if ink := decode(t, buf.Bytes(), tc.width, tc.height); ink < 0.005 || ink > 0.7 {
				t.Errorf("%.1f%% of the pixels are not white: the figure looks empty or flooded", 100*ink)
			}
		})
	}
}

// TestSpikeRasterSilent checks that spikes add ink: the raster of a silent
// layer has less than that of the same layer with spikes, though its
// title is the same length ("rate 0" against "rate 1").
// classes are the names of Fashion-MNIST's classes.
var classes = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// labelled returns a copy of panels in which those of ten neurons name
// them by class, mark neuron 1 and have a note, and the others have a
// note.
func labelled(panels []viz.RasterPanel) []viz.RasterPanel {
	out := slices.Clone(panels)
	for i := range out {
		out[i].Note = "label Trouser"
		if out[i].Neurons == 10 {
			out[i].NeuronLabels = classes
			out[i].Marked, out[i].Mark, out[i].MarkName = true, 1, "predicted class"
			out[i].Note = "predicted Trouser, label Trouser (right)"
		}
	}
	return out
}

func TestSpikeRasterSilent(t *testing.T) {
	ink := func(v float32) float64 {
		s := make([]float32, 4*16)
		for i := range s {
			s[i] = v
		}
		var buf bytes.Buffer
		if err := viz.SpikeRaster(&buf, "", []viz.RasterPanel{{Title: "l", Steps: 4, Neurons: 16, Spikes: s}}, 1, 400, 300); err != nil {
			t.Fatal(err)
		}
		return decode(t, buf.Bytes(), 400, 300)
	}
	silent, all := ink(0), ink(1)
	if !(all > silent+0.05) {
		t.Errorf("ink: %.3f with a spike at every step and neuron, %.3f with none", all, silent)
	}
}

// TestSpikeRasterUnmarked checks that Mark is ignored unless Marked.
func TestSpikeRasterUnmarked(t *testing.T) {
	var buf bytes.Buffer
	p := viz.RasterPanel{Steps: 2, Neurons: 3, Spikes: []float32{1, 0, 0, 0, 1, 1}, Mark: -1}
	if err := viz.SpikeRaster(&buf, "unmarked", []viz.RasterPanel{p}, 0, 400, 300); err != nil {
		t.Fatal(err)
	}
}

func TestSpikeRasterDefaultSize(t *testing.T) {
	var buf bytes.Buffer
	p := viz.RasterPanel{Steps: 2, Neurons: 3, Spikes: []float32{1, 0, 0, 0, 1, 1}}
	if err := viz.SpikeRaster(&buf, "default", []viz.RasterPanel{p}, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	decode(t, buf.Bytes(), viz.DefaultWidth, viz.DefaultHeight)
}

func TestSpikeRasterErrors(t *testing.T) {
	ok := []viz.RasterPanel{{Title: "a", Steps: 2, Neurons: 2, Spikes: make([]float32, 4)}}
	for _, tc := range []struct {
		name          string
		panels        []viz.RasterPanel
		cols          int
		width, height int
		want          string
	}{
		{"nil", nil, 0, 800, 600, "no raster panels"},
		{"empty", []viz.RasterPanel{}, 0, 800, 600, "no raster panels"},
		{"short spikes", []viz.RasterPanel{{Title: "lif1", Steps: 2, Neurons: 3, Spikes: make([]float32, 5)}}, 0, 800, 600, "lif1"},
		{"long spikes", []viz.RasterPanel{ok[0], {Title: "b", Steps: 2, Neurons: 3, Spikes: make([]float32, 7)}}, 0, 800, 600, "panel 1"},
		{"no steps", []viz.RasterPanel{{Steps: 0, Neurons: 3}}, 0, 800, 600, "at least one"},
		{"no neurons", []viz.RasterPanel{{Steps: 3, Neurons: 0}}, 0, 800, 600, "at least one"},
		{"negative steps", []viz.RasterPanel{{Steps: -2, Neurons: -3, Spikes: make([]float32, 6)}}, 0, 800, 600, "at least one"},
		{"negative cols", ok, -1, 800, 600, "columns"},
		{"negative width", ok, 0, -5, 600, "too small"},
		{"too small", ok, 0, 100, 80, "too small"},
		{"too small for the grid", append(append([]viz.RasterPanel{}, ok...), ok...), 2, 200, 300, "too small"},
		{"too large", ok, 0, 800, viz.MaxSide + 1, "too large"},
		{"too few labels", []viz.RasterPanel{{Title: "out", Steps: 2, Neurons: 3, Spikes: make([]float32, 6), NeuronLabels: []string{"a", "b"}}}, 0, 800, 600, "2 neuron labels for 3 neurons"},
		{"too many labels", []viz.RasterPanel{ok[0], {Title: "out", Steps: 1, Neurons: 1, Spikes: make([]float32, 1), NeuronLabels: []string{"a", "b"}}}, 0, 800, 600, "panel 1"},
		{"empty labels", []viz.RasterPanel{{Title: "out", Steps: 2, Neurons: 2, Spikes: make([]float32, 4), NeuronLabels: []string{}}}, 0, 800, 600, "0 neuron labels"},
		{"mark negative", []viz.RasterPanel{{Title: "out", Steps: 2, Neurons: 2, Spikes: make([]float32, 4), Marked: true, Mark: -1}}, 0, 800, 600, "marks neuron -1"},
		{"mark past the end", []viz.RasterPanel{{Title: "out", Steps: 2, Neurons: 2, Spikes: make([]float32, 4), Marked: true, Mark: 2}}, 0, 800, 600, "marks neuron 2, not one of its neurons 0 to 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := viz.SpikeRaster(&buf, "t", tc.panels, tc.cols, tc.width, tc.height)
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

func BenchmarkSpikeRaster(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	var panels []viz.RasterPanel
	for range 3 {
		panels = append(panels,
			randomPanel(r, "conv1", 4, 25088, 0.1), randomPanel(r, "conv2", 4, 12544, 0.1),
			randomPanel(r, "fc1", 4, 128, 0.2), randomPanel(r, "out", 4, 10, 0.3))
	}
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := viz.SpikeRaster(&buf, "Spikes", panels, 4, viz.DefaultWidth, viz.DefaultHeight); err != nil {
			b.Fatal(err)
		}
	}
}
