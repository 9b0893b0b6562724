package suggest

import "testing"

func TestClosest(t *testing.T) {
	opts := []string{"mlp", "cnn", "LIFNode", "PLIFNode", "QGateGrad", "AtanGrad", "adam", "adamw", "sgd"}
	for _, tc := range []struct{ name, want string }{
		{"mlp", "mlp"},
		{"MLP", "mlp"},
		{"cnnn", "cnn"},
		{"LIFnode", "LIFNode"},
		{"LIFNod", "LIFNode"},
		{"QGateGard", "QGateGrad"},
		{"atangrad", "AtanGrad"},
		{"adm", "adam"},
		{"QGaetGrad", "QGateGrad"},
		{"madl", ""},
		{"resnet", ""},
		{"xyz", ""},
		{"", ""},
	} {
		if got := Closest(tc.name, opts); got != tc.want {
			t.Errorf("Closest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestUnknown(t *testing.T) {
	got := Unknown("model", "cnnn", []string{"cnn", "mlp"})
	want := `unknown model "cnnn" (did you mean "cnn"?; known: cnn, mlp)`
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	got = Unknown("model", "resnet", []string{"cnn", "mlp"})
	want = `unknown model "resnet" (known: cnn, mlp)`
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}
