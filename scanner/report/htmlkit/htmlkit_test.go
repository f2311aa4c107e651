package htmlkit_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
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
