package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/config"
	"github.com/ceso/ceso/pkg/server"
	"github.com/ceso/ceso/pkg/server/api"
)

// demoServer walks through ceso serve: the daemon starts in-process with
// a restricted token (an agent's) and a standard one (an operator's); the
// agent reads, its write is refused with the plan and plan ID an approval
// would be given for; the operator's write runs as a job; the CLI itself
// runs as a client.
func demoServer(ctx context.Context, out io.Writer, shown *cmdutil.IOStreams, env map[string]string, step int) error {
	srv, tokens, stop, err := startDemoServer(ctx, env)
	if err != nil {
		return err
	}
	defer stop()
	lookup := config.MapEnv(env)
	url := srv.URL()
	say := func(what string) {
		step++
		fmt.Fprintf(out, "\n# %d. %s\n", step, what)
	}
	say("Start the daemon (ceso serve) on loopback: it holds the ESXi password; its callers get tokens. Two are configured by their SHA-256: agent (restricted) and operator (standard).")
	fmt.Fprintf(out, "$ ceso serve --listen 127.0.0.1:0\nlistening on %s; the API is described at %s%s\n", url, url, api.OpenAPIPath)
	h := demoHTTP{out: out, url: url}
	say("The agent lists the VMs through the API (answered from the daemon's inventory cache once it is in sync).")
	if _, err := h.call(ctx, tokens["agent"], "agent", http.MethodPost, api.OpsPrefix+"vm.list", `{"power_state":"on"}`); err != nil {
		return err
	}
	say("The agent asks for a new VM: refused, with the plan it would run and the plan ID an operator can approve.")
	if _, err := h.call(ctx, tokens["agent"], "agent", http.MethodPost, api.OpsPrefix+"vm.create", `{"name":"web03"}`); err != nil {
		return err
	}
	say("The operator's token may write: the create runs as a job (202), followed until it ends.")
	body, err := h.call(ctx, tokens["operator"], "operator", http.MethodPost, api.OpsPrefix+"vm.create", `{"name":"web03"}`)
	if err != nil {
		return err
	}
	if err := h.follow(ctx, tokens["operator"], "operator", body); err != nil {
		return err
	}
	say("The CLI is a client of the daemon too: same commands, same output, no ESXi password on this side.")
	tokenFile := filepath.Join(env["HOME"], "agent.token")
	if err := os.WriteFile(tokenFile, []byte(tokens["agent"]+"\n"), 0o600); err != nil {
		return err
	}
	args := []string{"--server", url, "--token-file", tokenFile, "vm", "list", "web*"}
	fmt.Fprintf(out, "$ ceso %s\n", shellJoin(args))
	if code := Run(ctx, args, shown, func(k string) (string, bool) {
		if k == "ESXI_PASSWORD" {
			return "", false
		}
		return lookup(k)
	}); code != 0 {
		return fmt.Errorf("ceso --server vm list exited %d", code)
	}
	return nil
}

// startDemoServer starts the daemon on loopback with the tokens agent
// (restricted) and operator (standard).
func startDemoServer(ctx context.Context, env map[string]string) (*server.Server, map[string]string, func(), error) {
	lookup := config.MapEnv(env)
	cfg, err := config.Load("", lookup)
	if err != nil {
		return nil, nil, nil, err
	}
	cfg.Server.Listen = "127.0.0.1:0"
	tokens := map[string]string{}
	for _, t := range []struct{ name, mode string }{{"agent", "restricted"}, {"operator", "standard"}} {
		tok, sum, err := server.NewToken(rand.Reader)
		if err != nil {
			return nil, nil, nil, err
		}
		tokens[t.name] = tok
		cfg.Server.Tokens = append(cfg.Server.Tokens, config.ServerToken{Name: t.name, SHA256: sum, Mode: t.mode})
	}
	a, err := app.New(app.Options{Config: cfg, Env: lookup, Actor: "demo"})
	if err != nil {
		return nil, nil, nil, err
	}
	srv, err := server.New(server.Options{App: a})
	if err == nil {
		err = srv.Listen(ctx)
	}
	if err != nil {
		_ = a.Close(context.WithoutCancel(ctx))
		return nil, nil, nil, err
	}
	return srv, tokens, func() {
		_ = srv.Shutdown(context.WithoutCancel(ctx))
		_ = a.Close(context.WithoutCancel(ctx))
	}, nil
}

// demoHTTP makes the walk-through's API calls and prints them as curl
// commands with their answers.
type demoHTTP struct {
	out io.Writer
	url string
}

func (h demoHTTP) call(ctx context.Context, token, who, method, path, body string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, h.url+path, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	h.show(who, method, path, body, resp.StatusCode, data)
	return data, nil
}

// follow reads the job of a 202 answer until it ends, and shows its end.
func (h demoHTTP) follow(ctx context.Context, token, who string, accepted []byte) error {
	var j api.Job
	if err := json.Unmarshal(accepted, &j); err != nil {
		return fmt.Errorf("the job: %w", err)
	}
	body := accepted
	for deadline := time.Now().Add(2 * time.Minute); !api.Terminal(j.State); {
		if time.Now().After(deadline) {
			return fmt.Errorf("job %s did not end", j.ID)
		}
		time.Sleep(200 * time.Millisecond)
		var err error
		if body, err = h.get(ctx, token, api.JobsPath+"/"+j.ID); err != nil {
			return err
		}
		if err := json.Unmarshal(body, &j); err != nil {
			return err
		}
	}
	h.show(who, http.MethodGet, api.JobsPath+"/"+j.ID, "", http.StatusOK, body)
	if j.State != api.StateSucceeded {
		return fmt.Errorf("the %s's job ended %s", who, j.State)
	}
	return nil
}

func (h demoHTTP) get(ctx context.Context, token, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.url+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func (h demoHTTP) show(who, method, path, body string, status int, data []byte) {
	dataFlag := "-d '" + body + "' "
	if body == "" {
		dataFlag = ""
	}
	fmt.Fprintf(h.out, "$ curl -s -X %s -H \"Authorization: Bearer $%s_TOKEN\" %s%s%s\n", method, strings.ToUpper(who), dataFlag, h.url, path)
	var pretty bytes.Buffer
	if json.Indent(&pretty, bytes.TrimSpace(data), "", "  ") != nil {
		pretty.Reset()
		pretty.Write(data)
	}
	fmt.Fprintf(h.out, "HTTP %d %s\n%s\n", status, http.StatusText(status), pretty.String())
}
