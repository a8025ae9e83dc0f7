// tlogsizes checks published gongshi log folders with Go's own golang.org/x/mod/sumdb/note
// and sumdb/tlog (Debian's golang-golang-x-mod-dev): for every kept checkpoint
// log/checkpoints/<size> of each folder, the signature verifies with log/key.pub, the tiles
// that tree size needs are served at their C2SP tlog-tiles paths (a partial tile, or the full
// tile once it is complete) and hash to the checkpoint's root, and every entry of the entry
// bundles has an inclusion proof in that tree. Prints "ok" and exits 0, or names the problem.
//
// Run: GOPATH=/usr/share/gocode GO111MODULE=off go run main.go LOGDIR...
package main

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const height = 8

// c2spPath is Go's tile path without the height element, with "entries" for "data".
func c2spPath(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/", height))
	return "tile/" + strings.Replace(p, "data/", "entries/", 1)
}

type tiles struct{ dir string }

func (r tiles) Height() int { return height }

func (r tiles) ReadTiles(ts []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(ts))
	for i, t := range ts {
		data, err := os.ReadFile(filepath.Join(r.dir, c2spPath(t)))
		if err != nil && t.W < 1<<height {
			full := t
			full.W = 1 << height
			if whole, err2 := os.ReadFile(filepath.Join(r.dir, c2spPath(full))); err2 == nil {
				data, err = whole[:t.W*tlog.HashSize], nil
			}
		}
		if err != nil {
			return nil, fmt.Errorf("missing %s", c2spPath(t))
		}
		out[i] = data
	}
	return out, nil
}

func (r tiles) SaveTiles([]tlog.Tile, [][]byte) {}

func bundle(dir string, size, index int64) ([]byte, error) {
	t := tlog.TileForIndex(height, tlog.StoredHashIndex(0, index))
	t.L = -1
	if end := (t.N + 1) << height; end > size {
		t.W = int(size - t.N<<height)
	}
	data, err := os.ReadFile(filepath.Join(dir, c2spPath(t)))
	if err != nil {
		return nil, fmt.Errorf("missing %s", c2spPath(t))
	}
	for i := int64(0); len(data) >= 2; i++ {
		n := int(binary.BigEndian.Uint16(data))
		if len(data) < 2+n {
			break
		}
		if i == index-t.N<<height {
			return data[2 : 2+n], nil
		}
		data = data[2+n:]
	}
	return nil, fmt.Errorf("%s lacks entry %d", c2spPath(t), index)
}

func check(dir string) (int, error) {
	key, err := os.ReadFile(filepath.Join(dir, "key.pub"))
	if err != nil {
		return 0, err
	}
	verifier, err := note.NewVerifier(strings.TrimSpace(string(key)))
	if err != nil {
		return 0, err
	}
	names, _ := filepath.Glob(filepath.Join(dir, "checkpoints", "*"))
	for _, name := range names {
		msg, _ := os.ReadFile(name)
		n, err := note.Open(msg, note.VerifierList(verifier))
		if err != nil {
			return 0, fmt.Errorf("%s: %v", name, err)
		}
		lines := strings.Split(n.Text, "\n")
		size, err := strconv.ParseInt(lines[1], 10, 64)
		if err != nil || filepath.Base(name) != lines[1] {
			return 0, fmt.Errorf("%s: bad size line", name)
		}
		raw, err := base64.StdEncoding.DecodeString(lines[2])
		if err != nil || len(raw) != tlog.HashSize {
			return 0, fmt.Errorf("%s: bad root", name)
		}
		var root tlog.Hash
		copy(root[:], raw)
		reader := tlog.TileHashReader(tlog.Tree{N: size, Hash: root}, tiles{dir})
		got, err := tlog.TreeHash(size, reader)
		if err != nil || got != root {
			return 0, fmt.Errorf("%s: tree hash from tiles: %v", name, err)
		}
		for i := int64(0); i < size; i++ {
			entry, err := bundle(dir, size, i)
			if err != nil {
				return 0, fmt.Errorf("%s: %v", name, err)
			}
			proof, err := tlog.ProveRecord(size, i, reader)
			if err == nil {
				err = tlog.CheckRecord(proof, size, root, i, tlog.RecordHash(entry))
			}
			if err != nil {
				return 0, fmt.Errorf("%s: entry %d: %v", name, i, err)
			}
		}
	}
	return len(names), nil
}

func main() {
	total := 0
	for _, dir := range os.Args[1:] {
		n, err := check(dir)
		if err != nil {
			fmt.Printf("FAIL %s: %v\n", dir, err)
			os.Exit(1)
		}
		total += n
	}
	fmt.Printf("ok %d checkpoints\n", total)
}
