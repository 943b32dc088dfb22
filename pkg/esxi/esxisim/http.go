package esxisim

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"

	"github.com/vmware/govmomi/vim25/xml"
)

// routes returns the mux vcsim adds its own routes to. The routes here are
// more specific than vcsim's ("POST /sdk" beats "/sdk"), so they win.
func (s *Simulator) routes() *http.ServeMux {
	mux := http.NewServeMux()
	sdk := http.HandlerFunc(s.serveSDK)
	mux.Handle("POST /sdk", sdk)
	mux.Handle("POST /sdk/vimService", sdk)
	mux.HandleFunc("GET /nfc/{lease}/{file}", s.serveNFC)
	mux.HandleFunc("PUT /nfc/{lease}/{file}", s.serveNFC)
	mux.HandleFunc("POST /nfc/{lease}/{file}", s.serveNFC)
	return mux
}

// serveSDK counts the request, then lets vcsim answer it with ESXi's fault
// texts in place of vcsim's.
func (s *Simulator) serveSDK(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	s.model.Service.ServeSDK(&faultWriter{ResponseWriter: w}, r)
}

// faultWriter rewrites the faultstring of SOAP faults (HTTP 500) whose type
// has a known ESXi text. vcsim writes the whole body in one Write.
type faultWriter struct {
	http.ResponseWriter
	status int
}

func (w *faultWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *faultWriter) Write(b []byte) (int, error) {
	if w.status != http.StatusInternalServerError {
		return w.ResponseWriter.Write(b)
	}
	if _, err := w.ResponseWriter.Write(rewriteFaultString(b)); err != nil {
		return 0, err
	}
	return len(b), nil
}

var (
	faultTypeRx = regexp.MustCompile(`xsi:type="([A-Za-z]+)"`)
	faultOpen   = []byte("<faultstring>")
	faultClose  = []byte("</faultstring>")
	detailOpen  = []byte("<detail>")
)

// rewriteFaultString replaces the faultstring of a SOAP fault body by the
// text ESXi sends for that fault type, when known.
func rewriteFaultString(body []byte) []byte {
	start := bytes.Index(body, faultOpen)
	end := bytes.Index(body, faultClose)
	detail := bytes.Index(body, detailOpen)
	if start < 0 || end < start || detail < end {
		return body
	}
	m := faultTypeRx.FindSubmatch(body[detail:])
	if m == nil {
		return body
	}
	text, ok := faultText(string(m[1]), func(field string) string {
		return xmlField(body[detail:], field)
	})
	if !ok {
		return body
	}
	var esc bytes.Buffer
	_ = xml.EscapeText(&esc, []byte(text))
	out := make([]byte, 0, len(body)+esc.Len())
	out = append(out, body[:start+len(faultOpen)]...)
	out = append(out, esc.Bytes()...)
	return append(out, body[end:]...)
}

// xmlField returns the text of the first <field> element in b.
func xmlField(b []byte, field string) string {
	open := "<" + field + ">"
	i := bytes.Index(b, []byte(open))
	if i < 0 {
		return ""
	}
	rest := b[i+len(open):]
	j := bytes.Index(rest, []byte("</"+field+">"))
	if j < 0 {
		return ""
	}
	return unescapeXML(string(rest[:j]))
}

var xmlUnescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#34;", `"`, "&#39;", "'", "&apos;", "'", "&amp;", "&")

func unescapeXML(s string) string { return xmlUnescaper.Replace(s) }
