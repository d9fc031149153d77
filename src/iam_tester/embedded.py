"""The embedded AWS: a moto server on 127.0.0.1, with IAM enforcement on, for tests and for trying
iam-tester without an account.

It holds an IAM user with an administrator inline policy (the *caller*, whose keys the session and the
environment use), a role ``/embedded/platform-admin`` the caller may assume (for ``--admin-role-arn`` and
session-policy mode), and a few S3 buckets, one of them "protected" for the seed's example.

What moto enforces, and what it does not (moto ``iam/access_control.py``): after ``/moto-api/reset-auth``
every request is authenticated and the caller's identity policies are checked (Allow/Deny, Action,
Resource); AssumeRole needs an identity allow *and* a trust policy naming the caller's ARN *string*
(an assumed-role caller is matched by its session ARN, so a role cannot assume a role whose trust names
the role's ARN, unlike AWS); permissions boundaries, session policies and most conditions are not
enforced. Use it to test the sandbox's lifecycle, never as the truth about policy evaluation.

moto's enforcement switch and request counter are process-wide, and an in-process server shares moto's
backends: so only one :class:`EmbeddedAws` may run per process. :meth:`EmbeddedAws.reset` puts it back
in its initial state (new caller keys) in a few milliseconds — that is how tests stay isolated.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .errors import SandboxError

if TYPE_CHECKING:
    import boto3

__all__ = [
    "ACCOUNT_ID",
    "ADMIN_ROLE_NAME",
    "ADMIN_ROLE_PATH",
    "BUCKETS",
    "CALLER_USER_NAME",
    "EMBEDDED_ENV",
    "LIMITS",
    "OPEN_BUCKET",
    "PROTECTED_BUCKET",
    "REGION",
    "EmbeddedAws",
    "EmbeddedCaller",
    "is_embedded_endpoint",
]

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account
CALLER_USER_NAME = "iam-tester-caller"
ADMIN_ROLE_PATH = "/embedded/"
ADMIN_ROLE_NAME = "platform-admin"
OPEN_BUCKET = "iam-tester-dashboard"
PROTECTED_BUCKET = "iam-tester-protected"
BUCKETS = (OPEN_BUCKET, PROTECTED_BUCKET, "iam-tester-scratch")

# Set by env()/subprocess_env() (and so by `iam-tester embedded-aws`'s exports) to the server's URL, so that
# a process talking to that endpoint knows it is the embedded AWS.
EMBEDDED_ENV = "IAM_TESTER_EMBEDDED_AWS"
# What a user of the sandbox must know about results obtained here (see the module docstring).
LIMITS = (
    "this is the embedded AWS (moto), not AWS: it checks identity policies but not permissions boundaries, "
    "session policies or most conditions, so what it allows is not proof that AWS would; and a role session "
    "cannot assume a sandbox role here (moto matches trust policies against the session ARN)"
)

_ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
# Used only while enforcement is off, to build the initial state; moto accepts any key then.
_BOOT_KEYS = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "boot-secret"}

_running_lock = threading.Lock()
_running: EmbeddedAws | None = None


@dataclass(frozen=True)
class EmbeddedCaller:
    """The IAM user the embedded AWS's session acts as (an administrator)."""

    user_name: str
    arn: str
    access_key_id: str
    secret_access_key: str = field(repr=False)


class EmbeddedAws:
    """A moto server on ``host`` (default 127.0.0.1) and a free port, in this process.

    Use as a context manager, or call :meth:`start` and :meth:`stop`::

        with EmbeddedAws() as aws:
            session = aws.session()          # signs as the caller, talks to the server
            subprocess.run(cmd, env=aws.subprocess_env())
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, region: str = REGION) -> None:
        self._host = host
        self._port = port
        self.region = region
        self._server: Any = None
        self._url: str | None = None
        self._caller: EmbeddedCaller | None = None
        self._boot: tuple[Any, Any] | None = None  # IAM and S3 clients that build the state, made once per start
        self._loader: Any = None
        self._previous_auth = b"inf"

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> EmbeddedAws:
        """Start the server and build the initial state; raises :class:`SandboxError` if moto is missing
        or another embedded AWS runs in this process."""
        global _running  # noqa: PLW0603 - moto's auth switch is process-wide: one server per process
        try:
            from moto.server import ThreadedMotoServer
        except ImportError as exc:
            raise SandboxError(
                "the embedded AWS needs moto's server, which is not installed",
                hint="install the extra: `pip install 'iam-tester[embedded]'` (or `uv sync --extra embedded`)",
            ) from exc
        with _running_lock:
            if _running is not None:
                raise SandboxError(
                    f"an embedded AWS is already running in this process at {_running.endpoint_url}",
                    hint="moto's IAM enforcement switch is process-wide: use that one (reset() it between uses)",
                )
            _running = self
        try:
            _check_address(self._host, self._port)
            # werkzeug logs every request to stderr; the server's users want their own output.
            logging.getLogger("werkzeug").setLevel(logging.ERROR)
            self._server = ThreadedMotoServer(ip_address=self._host, port=self._port, verbose=False)
            self._server.start()
            host, port = self._server.get_host_and_port()
            self._url = f"http://{host}:{port}"
            reply = json.loads(self._post("/moto-api/reset-auth", b"inf"))
            self._previous_auth = reply.get("PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT", "inf").encode()
            self.reset()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server (its state is lost)."""
        global _running  # noqa: PLW0603 - see start()
        try:
            if self._server is not None and self._url is not None:
                self._post("/moto-api/reset-auth", self._previous_auth)  # leave moto as we found it
                self._server.stop()
        finally:
            self._server = None
            self._url = None
            self._boot = None
            with _running_lock:
                if _running is self:
                    _running = None

    def __enter__(self) -> EmbeddedAws:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def reset(self) -> None:
        """Back to the initial state: every resource deleted, the caller, admin role and buckets made
        afresh (the caller gets new keys), IAM enforcement on."""
        self._post("/moto-api/reset-auth", b"inf")  # enforcement off while building the state
        self._post("/moto-api/reset")
        self._caller = self._build_state()
        self.enforce()  # from now on every request is checked

    def enforce(self, enabled: bool = True) -> None:
        """Switch moto's IAM enforcement on or off. It is process-wide: a test suite that also uses
        moto in-process (``mock_aws``) should switch it off between the tests that use this server."""
        self._post("/moto-api/reset-auth", b"0" if enabled else b"inf")

    @classmethod
    def running(cls) -> EmbeddedAws | None:
        """The embedded AWS running in this process, if any (only one can: see the module's docstring)."""
        with _running_lock:
            return _running

    # -- what users need -------------------------------------------------------------------------
    @property
    def endpoint_url(self) -> str:
        if self._url is None:
            raise SandboxError("the embedded AWS is not running", hint="call start() or use it in a `with` block")
        return self._url

    @property
    def caller(self) -> EmbeddedCaller:
        if self._caller is None:
            raise SandboxError("the embedded AWS is not running", hint="call start() or use it in a `with` block")
        return self._caller

    @property
    def account_id(self) -> str:
        return ACCOUNT_ID

    @property
    def admin_role_arn(self) -> str:
        return f"arn:aws:iam::{ACCOUNT_ID}:role{ADMIN_ROLE_PATH}{ADMIN_ROLE_NAME}"

    def session(self, **keys: str) -> boto3.Session:
        """A new ``boto3.Session`` that talks to this server, signed as the caller (or as ``keys``:
        ``aws_access_key_id=..., aws_secret_access_key=..., aws_session_token=...``).

        The endpoint is set as a session-level override, so it wins over ``AWS_ENDPOINT_URL`` and
        profiles: a test can never reach real AWS through it.
        """
        import boto3
        import botocore.session

        core = botocore.session.Session()
        core.get_component("config_store").set_config_variable("endpoint_url", self.endpoint_url)
        # Share the parsed service models between sessions: loading them is most of the cost of a
        # session's first clients (~0.1 s per service), and tests make a session each.
        if self._loader is not None:
            core.register_component("data_loader", self._loader)
        credentials = keys or {
            "aws_access_key_id": self.caller.access_key_id,
            "aws_secret_access_key": self.caller.secret_access_key,
        }
        session = boto3.Session(botocore_session=core, region_name=self.region, **credentials)
        loader = core.get_component("data_loader")
        # boto3 appends its data directory to the loader's search path for each session.
        loader.search_paths[:] = list(dict.fromkeys(loader.search_paths))
        self._loader = loader
        return session

    def env(self) -> dict[str, str]:
        """The variables that point an AWS SDK or the AWS CLI at this server as the caller.

        Also unset ``AWS_PROFILE``, ``AWS_DEFAULT_PROFILE`` and ``AWS_SESSION_TOKEN`` in the shell (or use
        :meth:`subprocess_env`): a profile would take precedence over these keys.
        """
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            EMBEDDED_ENV: self.endpoint_url,
            "AWS_ACCESS_KEY_ID": self.caller.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.caller.secret_access_key,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
        }

    def subprocess_env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """``base`` (default ``os.environ``) without any ``AWS_*`` variable, plus :meth:`env`."""
        source = os.environ if base is None else base
        clean = {key: value for key, value in source.items() if not key.startswith("AWS_")}
        return {**clean, **self.env()}

    # -- internals -------------------------------------------------------------------------------
    def _post(self, path: str, body: bytes = b"") -> bytes:
        request = urllib.request.Request(  # noqa: S310 - our own loopback server's http URL
            f"{self.endpoint_url}{path}",
            data=body,
            method="POST",
            headers={"Content-Type": "application/octet-stream"},  # moto reads the raw body
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - as above
            return bytes(response.read())

    def _build_state(self) -> EmbeddedCaller:
        if self._boot is None:  # made once: a reset (before every sandbox test) then costs only its calls
            session = self.session(**_BOOT_KEYS)
            self._boot = (session.client("iam"), session.client("s3"))
        iam, s3 = self._boot
        user = iam.create_user(UserName=CALLER_USER_NAME)["User"]
        admin_policy = json.dumps(_ALLOW_ALL)
        iam.put_user_policy(UserName=CALLER_USER_NAME, PolicyName="administrator", PolicyDocument=admin_policy)
        key = iam.create_access_key(UserName=CALLER_USER_NAME)["AccessKey"]
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": user["Arn"]}, "Action": "sts:AssumeRole"}],
        }
        iam.create_role(RoleName=ADMIN_ROLE_NAME, Path=ADMIN_ROLE_PATH, AssumeRolePolicyDocument=json.dumps(trust))
        iam.put_role_policy(RoleName=ADMIN_ROLE_NAME, PolicyName="administrator", PolicyDocument=admin_policy)
        for bucket in BUCKETS:
            s3.create_bucket(Bucket=bucket)
            s3.put_object(Bucket=bucket, Key="README.txt", Body=f"an object in {bucket}\n".encode())
        return EmbeddedCaller(CALLER_USER_NAME, user["Arn"], key["AccessKeyId"], key["SecretAccessKey"])


def _check_address(host: str, port: int) -> None:
    """Fail at once where the server could not listen: moto's server fails in its own thread, and its
    ``start()`` then waits forever for a server that never comes (a port in use, a host not of this machine)."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server's own socket does
            probe.bind((host, port))
    except OSError as exc:
        raise SandboxError(
            f"the embedded AWS cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="choose another port (0: any free one) or an address of this machine (127.0.0.1)",
        ) from None


def is_embedded_endpoint(endpoint_url: str | None) -> bool:
    """Whether ``endpoint_url`` is an embedded AWS: the one running in this process, or the one the
    environment says it is (``IAM_TESTER_EMBEDDED_AWS``, exported by ``iam-tester embedded-aws``)."""
    if not endpoint_url:
        return False
    running = _running
    if running is not None and running._url == endpoint_url:
        return True
    return os.environ.get(EMBEDDED_ENV) == endpoint_url
