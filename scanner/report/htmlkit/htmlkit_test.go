package htmlkit_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/winreach/winreach/scanner"
	"github.com/winreach/winreach/scanner/report/htmlkit"
	"github.com/winreach/winreach/scanner/report/htmlkit/htmltest"
)

// TestPalette: every scanner verdict has a tone, in the scanner's order
// (best first), and no two tones share a class, symbol, word or colour
// class.
func TestPalette(t *testing.T) {
	seen := map[string]bool{}
	for v := scanner.Reachable; v <= scanner.Blocked; v++ {
		tone := htmlkit.VerdictTone(v.String())
		if tone == htmlkit.None {
			t.Fatalf("verdict %s has no tone", v)
		}
		if htmlkit.VerdictRank(v.String()) != int(v) {
			t.Errorf("%s ranks %d, want %d", v, htmlkit.VerdictRank(v.String()), v)
		}
		for _, k := range []string{"class " + tone.Class, "symbol " + tone.Symbol, "label " + tone.Label} {
			if seen[k] {
				t.Errorf("two tones share the %s", k)
			}
			seen[k] = true
		}
		if !strings.Contains(htmlkit.CSS, "."+tone.Class+"{") {
			t.Errorf("the style sheet does not colour %s", tone.Class)
		}
	}
	if len(htmlkit.Verdicts) != int(scanner.Blocked) {
		t.Errorf("%d tones for %d verdicts", len(htmlkit.Verdicts), scanner.Blocked)
	}
}

// TestFrame: Head and Foot make a page whose only style and script are
// the kit's, admitted by the hashes the CSP names.
func TestFrame(t *testing.T) {
	var b bytes.Buffer
	if err := htmlkit.Head(&b, `title <script>x</script>`); err != nil {
		t.Fatal(err)
	}
	tmpl := htmlkit.AddLegend(template.New("page"))
	if err := tmpl.ExecuteTemplate(&b, "legend", htmlkit.Verdicts); err != nil {
		t.Fatal(err)
	}
	if err := htmlkit.Foot(&b); err != nil {
		t.Fatal(err)
	}
	htmltest.SelfContained(t, b.Bytes())
	for _, s := range []string{htmlkit.CSS, htmlkit.Script} {
		sum := sha256.Sum256([]byte(s))
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(htmlkit.CSP, h) {
			t.Errorf("the CSP does not name %s", h)
		}
	}
	if !strings.Contains(b.String(), "<title>title &lt;script&gt;x&lt;/script&gt;</title>") {
		t.Errorf("the title is not escaped:\n%.400s", b.String())
	}
}

// TestPaletteColourBlind: the five verdict backgrounds stay apart (CIELAB
// distance at least 20) for normal vision and as deuteranopes and
// protanopes see them, and each tone's text reads on its background
// (WCAG contrast at least 4.5).
//
// Dichromat vision is simulated in linear sRGB with the matrices of
// Viénot, Brettel and Mollon, "Digital video colourmaps for checking the
// legibility of displays by dichromats", Color Research & Application
// 24(4), 1999.
func TestPaletteColourBlind(t *testing.T) {
	vision := map[string][3][3]float64{
		"normal":       {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}},
		"deuteranopia": {{0.29275, 0.70725, 0}, {0.29275, 0.70725, 0}, {-0.02234, 0.02234, 1}},
		"protanopia":   {{0.11238, 0.88762, 0}, {0.11238, 0.88762, 0}, {0.00401, -0.00401, 1}},
	}
	bg := map[string][3]float64{}
	for _, tone := range htmlkit.Verdicts {
		b, fg := cssColours(t, tone.Class)
		bg[tone.Name] = b
		if c := contrast(b, fg); c < 4.5 {
			t.Errorf("%s: text contrast %.1f, want at least 4.5", tone.Name, c)
		}
	}
	for name, m := range vision {
		for i, a := range htmlkit.Verdicts {
			for _, b := range htmlkit.Verdicts[i+1:] {
				if d := labDistance(simulate(m, bg[a.Name]), simulate(m, bg[b.Name])); d < 20 {
					t.Errorf("%s: %s and %s are %.1f apart in CIELAB, want at least 20", name, a.Name, b.Name, d)
				}
			}
		}
	}
}

// cssColours reads a class's background and text colours (#rrggbb or
// #rgb) from the style sheet, as linear sRGB.
func cssColours(t *testing.T, class string) (bg, fg [3]float64) {
	t.Helper()
	m := regexp.MustCompile(`\.` + regexp.QuoteMeta(class) + `\{background:#([0-9a-f]{3,6});color:#([0-9a-f]{3,6})`).FindStringSubmatch(htmlkit.CSS)
	if m == nil {
		t.Fatalf("no background and colour for .%s", class)
	}
	return linear(t, m[1]), linear(t, m[2])
}

func linear(t *testing.T, hex string) [3]float64 {
	if len(hex) == 3 {
		hex = string([]byte{hex[0], hex[0], hex[1], hex[1], hex[2], hex[2]})
	}
	var c [3]float64
	for i := range c {
		v, err := strconv.ParseUint(hex[2*i:2*i+2], 16, 8)
		if err != nil {
			t.Fatal(err)
		}
		s := float64(v) / 255
		if s <= 0.04045 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return c
}

func simulate(m [3][3]float64, c [3]float64) [3]float64 {
	var out [3]float64
	for i := range out {
		out[i] = min(1, max(0, m[i][0]*c[0]+m[i][1]*c[1]+m[i][2]*c[2]))
	}
	return out
}

func luminance(c [3]float64) float64 { return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2] }

// contrast is the WCAG 2 contrast ratio.
func contrast(a, b [3]float64) float64 {
	la, lb := luminance(a)+0.05, luminance(b)+0.05
	return max(la, lb) / min(la, lb)
}

// labDistance is the CIE 1976 distance of two linear sRGB colours (D65).
func labDistance(a, b [3]float64) float64 {
	la, lb := lab(a), lab(b)
	return math.Sqrt((la[0]-lb[0])*(la[0]-lb[0]) + (la[1]-lb[1])*(la[1]-lb[1]) + (la[2]-lb[2])*(la[2]-lb[2]))
}

func lab(c [3]float64) [3]float64 {
	x := (0.4124*c[0] + 0.3576*c[1] + 0.1805*c[2]) / 0.95047
	y := 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
	z := (0.0193*c[0] + 0.1192*c[1] + 0.9505*c[2]) / 1.08883
	f := func(v float64) float64 {
		if v > 0.008856 {
			return math.Cbrt(v)
		}
		return 7.787*v + 16.0/116
	}
	return [3]float64{116*f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))}
}
