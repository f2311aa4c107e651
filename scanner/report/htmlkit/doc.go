// Package htmlkit is the page frame shared by winreach's HTML reports
// (scan, logon): one self-contained page that works offline and fetches
// nothing, styled and scripted only by the inline style sheet and script
// in this package, which the page's Content-Security-Policy admits by
// their SHA-256 hashes. Every other script, style, image, font, frame or
// connection is refused by the browser: a server's text that slipped
// through escaping could still not run.
//
// A report writes Head, its body through html/template (which escapes
// every value for its context: a banner carrying <script> or onerror=
// stays text), then Foot. The verdict palette (Verdicts, Tone) pairs
// each colour with a symbol and a word, so the page reads without colour
// and the colours stay apart under deuteranopia and protanopia (blue,
// yellow, dark orange, grey and white differ in lightness as well as hue).
//
// The script only sorts and filters: a table of class "sortable" sorts
// by a click on any <th data-sort-col> of its thead (each tbody is one
// item, sorted by its first row's cell in that column, using the cell's
// data-sort value or its text), an <input data-filter="TABLE-ID"> hides
// the tbodies whose first row does not contain the text typed, and a
// <select data-filter-verdict="TABLE-ID"> keeps the tbodies whose first
// row has a cell with that data-verdict. Controls inside an element of
// class "js-only" are revealed by the script; without JavaScript the page
// shows everything, unsorted and unfiltered.
package htmlkit
