package updates

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNginxMirror serves the repository with Debian's nginx (a server that
// is not ours) on a loopback port, with gzip on, and runs two cycles.
func TestNginxMirror(t *testing.T) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if _, err2 := os.Stat("/usr/sbin/nginx"); err2 != nil {
			t.Skip("nginx not installed (apt-get install nginx-light)")
		}
		bin = "/usr/sbin/nginx"
	}
	f := newFixture(t, InitOptions{})
	f.publish("n1", guideFiles(200, 2000, ""))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	conf := fmt.Sprintf(`daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events {}
http {
  access_log %[1]s/access.log;
  client_body_temp_path %[1]s; proxy_temp_path %[1]s; fastcgi_temp_path %[1]s; uwsgi_temp_path %[1]s; scgi_temp_path %[1]s;
  types { application/json json; }
  default_type application/octet-stream;
  gzip on; gzip_types application/json;
  server {
    listen %[2]s;
    root %[3]s;
    location = /metadata/timestamp.json { add_header Cache-Control no-cache; }
  }
}
`, dir, addr, f.pub.Repo)
	cf := filepath.Join(dir, "nginx.conf")
	os.WriteFile(cf, []byte(conf), 0o644)
	cmd := exec.Command(bin, "-c", cf, "-p", dir, "-e", filepath.Join(dir, "error.log"))
	if out, err := cmd.StdoutPipe(); err == nil {
		_ = out
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if i > 50 {
			raw, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx did not start: %s", raw)
		}
		time.Sleep(50 * time.Millisecond)
	}
	state := t.TempDir()
	c := f.client(state, "http://"+addr)
	if res, err := c.Update(ctxT(t)); err != nil || res.Version != "n1" {
		t.Fatalf("%+v %v", res, err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "access.log"))
	f.publish("n2", guideFiles(200, 2000, "changed"))
	res, err := c.Update(ctxT(t))
	if err != nil || res.Version != "n2" || res.ObjectsFetched != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	logRaw, _ := os.ReadFile(filepath.Join(dir, "access.log"))
	if !strings.Contains(string(logRaw), "/metadata/2.root.json HTTP/1.1\" 404") {
		t.Fatalf("nginx's 404 for the next root not seen:\n%s", logRaw)
	}
	// body bytes nginx sent (gzip on for JSON) during the second cycle
	var wire int
	for _, line := range strings.Split(strings.TrimPrefix(string(logRaw), string(before)), "\n") {
		// combined format: "GET /p HTTP/1.1" status bytes "referer" "ua"
		if i := strings.Index(line, "\" "); i > 0 {
			var status, n int
			fmt.Sscanf(line[i+2:], "%d %d", &status, &n)
			wire += n
		}
	}
	t.Logf("one-guide change in a 200-object bundle through nginx with gzip: %d body bytes on the wire (%d after decompression)", wire, res.BytesFetched)
}
