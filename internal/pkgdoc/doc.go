// Package pkgdoc holds a test that fails the build when a package of the
// module has no package documentation: every package says in its doc.go what
// it owns and what it must not do. It has no code of its own.
package pkgdoc
