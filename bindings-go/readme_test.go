package net

import (
	"os"
	"strings"
	"testing"
)

// The README's mesh snippet must be the body of ExampleMeshNode, which
// `go test` runs and whose output it checks: so the snippet runs as
// written, and cannot drift from a program that does.
func TestREADMEMeshSnippetIsTheExample(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	const marker = "<!-- the body of ExampleMeshNode in mesh_example_test.go; readme_test.go checks it -->"
	_, after, ok := strings.Cut(string(readme), marker)
	if !ok {
		t.Fatal("README.md lost the mesh snippet's marker")
	}
	_, block, ok := strings.Cut(after, "```go\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("no ```go block after the marker")
	}
	source, err := os.ReadFile("mesh_example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok := strings.Cut(string(source), "func ExampleMeshNode() {\n")
	body, _, ok2 = strings.Cut(body, "\t// Output:")
	if !ok || !ok2 {
		t.Fatal("ExampleMeshNode not found")
	}
	var lines []string
	for _, line := range strings.Split(strings.TrimRight(body, "\n\t "), "\n") {
		lines = append(lines, strings.TrimPrefix(line, "\t"))
	}
	if want, got := strings.Join(lines, "\n"), strings.TrimRight(block, "\n"); got != want {
		t.Fatalf("README.md's mesh snippet differs from ExampleMeshNode's body.\nREADME:\n%s\n\nexample:\n%s", got, want)
	}
}
