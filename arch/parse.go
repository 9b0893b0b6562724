package arch

import (
	"fmt"
	"strings"
	"unicode"
)

// Spec is a parsed architecture.
type Spec struct {
	// Text is the spec as written.
	Text string
	// Layers are the layers in order.
	Layers []Layer
}

// Layer is one layer of a Spec.
type Layer struct {
	// Name is the layer's name as written.
	Name string
	// Args are its arguments, in order.
	Args []Arg
	// Pos is the byte offset of the name in Spec.Text.
	Pos int
}

// Arg is one argument: positional when Key is "".
type Arg struct {
	Key, Value string
	// Pos is the byte offset of the argument in Spec.Text.
	Pos int
}

// Error is a mistake in a spec, with its position.
type Error struct {
	// Text is the whole spec.
	Text string
	// Pos is the byte offset of the mistake.
	Pos int
	// Msg says what is wrong.
	Msg string
}

// Error returns the message with the column and the spec with a caret
// under the mistake.
func (e *Error) Error() string {
	col := len([]rune(e.Text[:min(max(e.Pos, 0), len(e.Text))])) + 1
	return fmt.Sprintf("arch: %s, at column %d:\n\t%s\n\t%s^", e.Msg, col, e.Text, strings.Repeat(" ", col-1))
}

// Parse parses a spec (see the package documentation for the grammar).
func Parse(text string) (*Spec, error) {
	p := &parser{text: text}
	s := &Spec{Text: text}
	p.skipSpace()
	if p.pos == len(text) {
		return nil, p.errorf(0, "empty architecture: give at least one layer")
	}
	for p.pos < len(text) {
		l, err := p.layer()
		if err != nil {
			return nil, err
		}
		s.Layers = append(s.Layers, l)
		p.skipSpace()
		if p.pos == len(text) {
			break
		}
		switch {
		case text[p.pos] == ',':
			p.pos++
		case strings.HasPrefix(text[p.pos:], "->"):
			p.pos += 2
		}
		p.skipSpace()
		if p.pos == len(text) {
			return nil, p.errorf(p.pos, "a layer is missing after the last separator")
		}
	}
	return s, nil
}

type parser struct {
	text string
	pos  int
}

func (p *parser) errorf(pos int, format string, args ...any) error {
	return &Error{Text: p.text, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.text) && unicode.IsSpace(rune(p.text[p.pos])) {
		p.pos++
	}
}

// word reads a name or a value: letters, digits and . _ + - (so that
// numbers such as 1e-3 and -0.5 are words too).
func (p *parser) word() string {
	start := p.pos
	for p.pos < len(p.text) {
		c := p.text[p.pos]
		if c == '-' && strings.HasPrefix(p.text[p.pos:], "->") {
			break
		}
		if unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c)) || strings.IndexByte("._+-", c) >= 0 {
			p.pos++
			continue
		}
		break
	}
	return p.text[start:p.pos]
}

func (p *parser) layer() (Layer, error) {
	l := Layer{Pos: p.pos}
	l.Name = p.word()
	if l.Name == "" {
		return l, p.errorf(p.pos, "expected a layer name, found %q", p.text[p.pos:p.pos+1])
	}
	p.skipSpace()
	if p.pos == len(p.text) || p.text[p.pos] != '(' {
		return l, nil
	}
	open := p.pos
	p.pos++
	p.skipSpace()
	if p.pos < len(p.text) && p.text[p.pos] == ')' {
		p.pos++
		return l, nil
	}
	for {
		p.skipSpace()
		a := Arg{Pos: p.pos}
		v := p.word()
		if v == "" {
			if p.pos == len(p.text) {
				return l, p.errorf(open, "unclosed parenthesis")
			}
			return l, p.errorf(p.pos, "expected an argument, found %q", p.text[p.pos:p.pos+1])
		}
		p.skipSpace()
		if p.pos < len(p.text) && p.text[p.pos] == '=' {
			p.pos++
			p.skipSpace()
			a.Key = v
			vpos := p.pos
			if v = p.word(); v == "" {
				return l, p.errorf(vpos, "expected a value for %s", a.Key)
			}
		}
		a.Value = v
		l.Args = append(l.Args, a)
		p.skipSpace()
		if p.pos == len(p.text) {
			return l, p.errorf(open, "unclosed parenthesis")
		}
		switch p.text[p.pos] {
		case ',':
			p.pos++
		case ')':
			p.pos++
			return l, nil
		default:
			return l, p.errorf(p.pos, "expected ',' or ')' in the arguments of %s, found %q", l.Name, p.text[p.pos:p.pos+1])
		}
	}
}

// String returns the spec in canonical form: lower-case layer names as
// written, arguments as written, layers separated by single spaces.
func (s *Spec) String() string {
	parts := make([]string, len(s.Layers))
	for i, l := range s.Layers {
		var b strings.Builder
		b.WriteString(l.Name)
		if len(l.Args) > 0 {
			b.WriteByte('(')
			for j, a := range l.Args {
				if j > 0 {
					b.WriteByte(',')
				}
				if a.Key != "" {
					b.WriteString(a.Key + "=")
				}
				b.WriteString(a.Value)
			}
			b.WriteByte(')')
		}
		parts[i] = b.String()
	}
	return strings.Join(parts, " ")
}
