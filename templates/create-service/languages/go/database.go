package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// CheckDatabase says whether the database at databaseURL answers and takes this
// service's login: the PostgreSQL wire protocol's start-up and password exchange
// (SCRAM-SHA-256, MD5 or clear text, as the server asks), with no driver to install.
// It returns "answers", "refused (<SQLSTATE>)" (e.g. 28P01: wrong password, 28000: the
// login may not log in) or "unreachable (<reason>)"; never the URL or the password.
// Swap it for your driver's ping once you add one.
func CheckDatabase(databaseURL string, timeout time.Duration) string {
	if databaseURL == "" {
		return "not configured"
	}
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "unreachable (DATABASE_URL is not a URL)"
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	user := u.User.Username()
	password, _ := u.User.Password()
	database := strings.TrimPrefix(u.Path, "/")
	if database == "" {
		database = user
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(u.Hostname(), port), timeout)
	if err != nil {
		return "unreachable (" + reason(err) + ")"
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(timeout))
	result, err := handshake(conn, user, password, database)
	if err != nil {
		return "unreachable (" + reason(err) + ")"
	}
	return result
}

func reason(err error) string {
	var netErr net.Error
	switch {
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case strings.Contains(err.Error(), "refused"):
		return "connection refused"
	case errors.Is(err, io.EOF):
		return "closed"
	}
	return "error"
}

func handshake(conn net.Conn, user, password, database string) (string, error) {
	var params bytes.Buffer
	for _, s := range []string{"user", user, "database", database} {
		params.WriteString(s + "\x00")
	}
	params.WriteByte(0)
	startup := binary.BigEndian.AppendUint32(nil, uint32(params.Len()+8))
	startup = binary.BigEndian.AppendUint32(startup, 196608) // protocol 3.0
	if _, err := conn.Write(append(startup, params.Bytes()...)); err != nil {
		return "", err
	}
	var scram *ScramClient
	for {
		kind, body, err := readMessage(conn)
		if err != nil {
			return "", err
		}
		switch kind {
		case 'E':
			return "refused (" + errorCode(body) + ")", nil
		case 'Z':
			_, _ = conn.Write([]byte{'X', 0, 0, 0, 4}) // Terminate
			return "answers", nil
		case 'R':
		default:
			continue // ParameterStatus, BackendKeyData, notices
		}
		if len(body) < 4 {
			return "", errors.New("short authentication message")
		}
		var reply []byte
		switch code := binary.BigEndian.Uint32(body); code {
		case 0:
			continue
		case 3:
			reply = message('p', []byte(password+"\x00"))
		case 5:
			inner := md5.Sum([]byte(password + user))
			outer := md5.Sum(append([]byte(hex.EncodeToString(inner[:])), body[4:8]...))
			reply = message('p', []byte("md5"+hex.EncodeToString(outer[:])+"\x00"))
		case 10:
			scram = NewScramClient(password, "", "")
			first := scram.ClientFirst()
			data := binary.BigEndian.AppendUint32([]byte("SCRAM-SHA-256\x00"), uint32(len(first)))
			reply = message('p', append(data, first...))
		case 11:
			if scram == nil {
				return "", errors.New("SASL continue without SASL")
			}
			final, err := scram.ClientFinal(string(body[4:]))
			if err != nil {
				return "", err
			}
			reply = message('p', []byte(final))
		case 12:
			if scram == nil || !scram.VerifyServer(string(body[4:])) {
				return "refused (the server did not prove it knows the password)", nil
			}
			continue
		default:
			return fmt.Sprintf("refused (authentication method %d is not supported)", code), nil
		}
		if _, err := conn.Write(reply); err != nil {
			return "", err
		}
	}
}

// ScramClient is SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it: no
// channel binding; the user name stays empty (PostgreSQL takes the login from the
// start-up message).
type ScramClient struct {
	password, nonce, user string
	authMessage           string
	serverKey             []byte
}

// NewScramClient returns a client; an empty nonce is a random one.
func NewScramClient(password, nonce, user string) *ScramClient {
	if nonce == "" {
		b := make([]byte, 18)
		_, _ = rand.Read(b)
		nonce = base64.StdEncoding.EncodeToString(b)
	}
	return &ScramClient{password: password, nonce: nonce, user: user}
}

func (c *ScramClient) firstBare() string { return "n=" + c.user + ",r=" + c.nonce }

// ClientFirst is the client-first-message.
func (c *ScramClient) ClientFirst() string { return "n,," + c.firstBare() }

// ClientFinal answers the server-first-message with the proof.
func (c *ScramClient) ClientFinal(serverFirst string) (string, error) {
	fields := map[string]string{}
	for _, part := range strings.Split(serverFirst, ",") {
		if k, v, ok := strings.Cut(part, "="); ok {
			fields[k] = v
		}
	}
	if !strings.HasPrefix(fields["r"], c.nonce) {
		return "", errors.New("the server nonce does not extend ours")
	}
	salt, err := base64.StdEncoding.DecodeString(fields["s"])
	if err != nil {
		return "", err
	}
	iterations, err := strconv.Atoi(fields["i"])
	if err != nil {
		return "", err
	}
	salted, err := pbkdf2.Key(sha256.New, c.password, salt, iterations, 32)
	if err != nil {
		return "", err
	}
	clientKey := mac(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	withoutProof := "c=biws,r=" + fields["r"]
	c.authMessage = c.firstBare() + "," + serverFirst + "," + withoutProof
	signature := mac(storedKey[:], c.authMessage)
	proof := make([]byte, len(clientKey))
	for i := range clientKey {
		proof[i] = clientKey[i] ^ signature[i]
	}
	c.serverKey = mac(salted, "Server Key")
	return withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof), nil
}

// VerifyServer checks the server-final-message.
func (c *ScramClient) VerifyServer(serverFinal string) bool {
	expected := "v=" + base64.StdEncoding.EncodeToString(mac(c.serverKey, c.authMessage))
	return hmac.Equal([]byte(strings.TrimSpace(serverFinal)), []byte(expected))
}

func mac(key []byte, text string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(text))
	return h.Sum(nil)
}

func message(kind byte, body []byte) []byte {
	out := binary.BigEndian.AppendUint32([]byte{kind}, uint32(len(body)+4))
	return append(out, body...)
}

func readMessage(conn net.Conn) (byte, []byte, error) {
	header := make([]byte, 5)
	if _, err := io.ReadFull(conn, header); err != nil {
		return 0, nil, err
	}
	length := binary.BigEndian.Uint32(header[1:])
	if length < 4 || length > 1<<20 {
		return 0, nil, errors.New("bad message length")
	}
	body := make([]byte, length-4)
	if _, err := io.ReadFull(conn, body); err != nil {
		return 0, nil, err
	}
	return header[0], body, nil
}

// errorCode is the SQLSTATE of an ErrorResponse: a code, never the message (it may
// name the login).
func errorCode(body []byte) string {
	for _, field := range bytes.Split(body, []byte{0}) {
		if len(field) > 0 && field[0] == 'C' {
			return string(field[1:])
		}
	}
	return "error"
}
