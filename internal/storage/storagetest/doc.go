// Package storagetest opens throw-away catalogs for tests and checks them
// when the test ends, as bbolt's own test package does for its databases.
// Only tests import it.
package storagetest
