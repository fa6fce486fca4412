package net

import (
	"os"
	"strings"
	"testing"
)

// Each README snippet below a marker must be the body of the named
// example, which `go test` runs and whose output it checks: so the
// snippets run as written, and cannot drift from programs that do.
func TestREADMESnippetsAreTheExamples(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ example, file string }{
		{"ExampleMeshNode", "mesh_example_test.go"},
		{"ExampleMeshTransport", "transport_example_test.go"},
		{"ExampleMeshNode_AnnounceCapabilities", "capabilities_example_test.go"},
		{"ExampleMeshOsDaemonSdk", "meshos_example_test.go"},
	} {
		marker := "<!-- the body of " + c.example + " in " + c.file + "; readme_test.go checks it -->"
		_, after, ok := strings.Cut(string(readme), marker)
		if !ok {
			t.Fatalf("README.md lost the marker of %s", c.example)
		}
		_, block, ok := strings.Cut(after, "```go\n")
		block, _, ok2 := strings.Cut(block, "```")
		if !ok || !ok2 {
			t.Fatalf("no ```go block after the marker of %s", c.example)
		}
		source, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		_, body, ok := strings.Cut(string(source), "func "+c.example+"() {\n")
		body, _, ok2 = strings.Cut(body, "\t// Output:")
		if !ok || !ok2 {
			t.Fatalf("%s not found in %s", c.example, c.file)
		}
		var lines []string
		for _, line := range strings.Split(strings.TrimRight(body, "\n\t "), "\n") {
			lines = append(lines, strings.TrimPrefix(line, "\t"))
		}
		if want, got := strings.Join(lines, "\n"), strings.TrimRight(block, "\n"); got != want {
			t.Fatalf("README.md's snippet differs from %s's body.\nREADME:\n%s\n\nexample:\n%s", c.example, got, want)
		}
	}
}
