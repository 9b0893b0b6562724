package viz_test

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/spikego/spikego/viz"
)

func TestSTDPFigures(t *testing.T) {
	var imgs []viz.GridImage
	for i := 0; i < 5; i++ {
		px := make([]float32, 9)
		for j := range px {
			px[j] = float32(j-4) * float32(i+1)
		}
		imgs = append(imgs, viz.GridImage{Pixels: px, Rows: 3, Cols: 3, Caption: "f"})
	}
	conf := [][]int{{5, 1, 0}, {2, 7, 1}, {0, 0, 9}}
	for _, tc := range []struct {
		name string
		draw func(*bytes.Buffer) error
	}{
		{"grid", func(b *bytes.Buffer) error { return viz.ImageGrid(b, "filters", imgs, 0, 400, 300) }},
		{"confusion", func(b *bytes.Buffer) error { return viz.ConfusionMatrix(b, "test", conf, nil, 400, 400) }},
		{"labels", func(b *bytes.Buffer) error {
			return viz.LabelCounts(b, "labels", []int{3, 0, 5}, 2, []string{"a", "b", "c"}, 400, 300)
		}},
	} {
		var b bytes.Buffer
		if err := tc.draw(&b); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		img, err := png.Decode(&b)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if s := img.Bounds().Size(); s.X < 300 || s.Y < 300 {
			t.Errorf("%s: image %v", tc.name, s)
		}
	}
	var b bytes.Buffer
	if viz.ImageGrid(&b, "", []viz.GridImage{{Pixels: []float32{1}, Rows: 2, Cols: 2}}, 0, 0, 0) == nil {
		t.Error("ImageGrid accepted an image of the wrong size")
	}
	if viz.ConfusionMatrix(&b, "", [][]int{{1, 2}}, nil, 0, 0) == nil {
		t.Error("ConfusionMatrix accepted a non-square matrix")
	}
	if viz.LabelCounts(&b, "", []int{1}, 0, []string{"a", "b"}, 0, 0) == nil {
		t.Error("LabelCounts accepted labels of the wrong length")
	}
}
