"""Offline synthesis: run a Pulumi Python program in-process under mocks and capture its graph.

No Pulumi CLI, no cloud account, no network. The program runs exactly as `pulumi preview`
would run it (its directory as working directory and first on `sys.path`, config from
`Pulumi.<stack>.yaml`), against a resource monitor that records every `RegisterResource`
request in full (parent, provider, dependencies, inputs) and answers with the attributes the
cloud would compute (guardian.graph.computed). Values the program cannot know offline (stack
references, outputs nobody computes, results of data sources that read the real account) stay
unknown and show as `UNKNOWN`; secrets show as `SECRET`. Each resource records where the
program declared it: the innermost frame in the repository's own files when it registered
(inside a component written in the repository, the line in the component; the component's
own location, from its registration, says where the component was declared).

`pulumi` is imported only when a program runs, so importing guardian.graph stays cheap.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import importlib
import json
import os
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from guardian.errors import UserError
from guardian.graph import computed
from guardian.graph.fast import InlineLoop, note_fallback, single_wait, unavailable
from guardian.graph.lazy_aws import only_what_is_used
from guardian.graph.model import SECRET, UNKNOWN, Resource, ResourceGraph, Source
from guardian.graph.pulumi_json import RESOURCE_SIG, SECRET_SIG, SIG_KEY
from guardian.graph.pulumi_yaml import read_yaml
from guardian.graph.types import conform
from guardian.heap import long_lived
from guardian.locations import Location, Roots, is_library, shown

STACK_TYPE = "pulumi:pulumi:Stack"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"
AWS_PROVIDER_TYPE = "pulumi:providers:aws"

# Pulumi's runtime settings are process-wide: one synthesis at a time.
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Project:
    """A Pulumi project: the directory holding Pulumi.yaml and the program it points at."""

    name: str
    root: Path  # directory of Pulumi.yaml
    program: Path  # directory holding __main__.py
    config: Mapping[str, Any] = field(default_factory=dict)  # project-level config defaults
    stack_config_dir: Path | None = None

    def stack_file(self, stack: str) -> Path:
        return (self.stack_config_dir or self.root) / f"Pulumi.{stack}.yaml"

    def qualify(self, key: str) -> str:
        """Config keys without a namespace belong to the project."""
        return key if ":" in key else f"{self.name}:{key}"


def find_project(program_dir: Path) -> Project:
    """The project for a program directory: the nearest Pulumi.yaml at or above it."""
    start = program_dir.resolve()
    if not start.is_dir():
        raise UserError(f"{program_dir}: no such program directory")
    for folder in (start, *start.parents):
        project_file = next(
            (p for p in (folder / "Pulumi.yaml", folder / "Pulumi.yml") if p.is_file()), None
        )
        if project_file is not None:
            return _project(project_file, start)
    if (start / "__main__.py").is_file():
        # A program without its project file (copied out of a repository, a snippet): Pulumi
        # would refuse it, but what it declares can still be read. Said once.
        print(f"guardian: note: no Pulumi.yaml in {program_dir} or above: running its "
              "__main__.py as a Python program named after the directory", file=sys.stderr)
        return Project(name=start.name, root=start, program=start)
    raise UserError(f"{program_dir}: no Pulumi.yaml here or in any parent directory, and no "
                    "__main__.py to run")


def _project(project_file: Path, start: Path) -> Project:
    data = read_yaml(project_file)
    if not isinstance(data, Mapping) or not isinstance(data.get("name"), str):
        raise UserError(f"{project_file}: name: a Pulumi project needs a name")
    runtime = data.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, Mapping) else runtime
    if runtime_name != "python":
        raise UserError(f"{project_file}: runtime: only Python programs can be synthesized, "
                        f"not {runtime_name!r}")
    root = project_file.parent
    program = start
    if start == root and isinstance(data.get("main"), str):
        program = (root / data["main"]).resolve()
    if not (program / "__main__.py").is_file():
        raise UserError(f"{program}: no __main__.py (the entry point of a Python program)")
    config_dir = data.get("stackConfigDir")
    return Project(
        name=data["name"],
        root=root,
        program=program,
        config=data.get("config") or {},
        stack_config_dir=root / config_dir if isinstance(config_dir, str) else None,
    )


def _config_text(value: Any) -> str:
    """Pulumi config values are strings; structured values are JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def stack_config(
    project: Project, stack: str, overrides: Mapping[str, str] = {}
) -> tuple[dict[str, str], list[str]]:
    """The fully qualified config of a stack and its secret keys.

    Project defaults, then Pulumi.<stack>.yaml, then overrides. Encrypted (`secure:`) values
    cannot be decrypted offline: they read as SECRET and are marked secret.
    """
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, spec in project.config.items():
        value = spec.get("default", spec.get("value")) if isinstance(spec, Mapping) else spec
        if value is not None:
            config[project.qualify(str(key))] = _config_text(value)
    stack_file = project.stack_file(stack)
    if stack_file.is_file():
        data = read_yaml(stack_file) or {}
        values = data.get("config") if isinstance(data, Mapping) else None
        for key, value in (values or {}).items():
            qualified = project.qualify(str(key))
            if isinstance(value, Mapping) and "secure" in value:
                config[qualified] = SECRET
                secret_keys.append(qualified)
            else:
                config[qualified] = _config_text(value)
    for key, value in overrides.items():
        config[project.qualify(key)] = value
    return config, sorted(secret_keys)


# --- values off the wire -------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A protobuf value as JSON data: secrets hidden, unknowns kept, whole floats as ints."""
    from google.protobuf import struct_pb2

    if isinstance(value, struct_pb2.Struct):
        if SIG_KEY in value:
            sig = value[SIG_KEY]
            if sig == SECRET_SIG:
                return SECRET
            if sig == RESOURCE_SIG:
                return value["urn"]
            return {k: _plain(v) for k, v in value.items() if k != SIG_KEY}  # asset or archive
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, struct_pb2.ListValue):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _holds_asset(value: Any) -> bool:
    """Whether a protobuf Value is, or contains, an asset or an archive."""
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        fields = value.struct_value.fields
        if SIG_KEY in fields:
            return fields[SIG_KEY].string_value not in (SECRET_SIG, RESOURCE_SIG)
        return any(_holds_asset(v) for v in fields.values())
    if kind == "list_value":
        return any(_holds_asset(v) for v in value.list_value.values)
    return False


def _struct(state: Mapping[str, Any]) -> Any:
    """State to hand back to the program, top-level unknowns left out so they stay unknown.

    Built directly (not with the SDK's async serializer) so the monitor's threads need no
    event loop of their own.
    """
    from google.protobuf import struct_pb2

    out = struct_pb2.Struct()
    out.update({k: v for k, v in state.items() if v != UNKNOWN})
    return out


def _unknown_result(token: str, args: Mapping[str, Any]) -> dict[str, Any] | None:
    """A data source's result with every property unknown but the arguments it echoes.

    The properties come from the SDK's result type (`aws:ec2/getVpc:getVpc` ->
    `pulumi_aws.ec2.GetVpcResult`): a property left out would read as None, a known value.
    None when the type cannot be found.
    """
    from pulumi import _types

    parts = token.split(":")
    if len(parts) != 3:
        return None
    package, module, function = parts
    module = module.split("/")[0]
    name = f"pulumi_{package.replace('-', '_')}" + ("" if module == "index" else f".{module}")
    try:
        namespace = importlib.import_module(name)
    except ImportError:
        return None
    result_type = getattr(namespace, f"{function[:1].upper()}{function[1:]}Result", None)
    if not isinstance(result_type, type) or not _types.is_output_type(result_type):
        return None
    return {prop: args[prop] if prop in args else UNKNOWN
            for prop in _types.output_type_types(result_type)}


def _default_tags(value: Any) -> dict[str, Any]:
    """A provider's `defaultTags.tags` (provider inputs arrive JSON-encoded)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    tags = value.get("tags") if isinstance(value, Mapping) else None
    return dict(tags) if isinstance(tags, Mapping) else {}


@dataclass
class _Registration:
    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    provider: str | None
    region: str | None
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    dependencies: tuple[str, ...]
    property_dependencies: dict[str, tuple[str, ...]]
    location: Location | None

    def resource(self) -> Resource:
        return Resource(
            urn=self.urn, type=self.type, name=self.name, custom=self.custom,
            parent=self.parent, provider=self.provider, region=self.region,
            inputs=self.inputs, outputs=self.outputs, dependencies=self.dependencies,
            property_dependencies=self.property_dependencies, location=self.location,
        )


def _make_monitor(project: str, stack: str, region: str | None, roots: Roots) -> Any:
    """A resource monitor that records every registration and answers like the cloud would."""
    from pulumi.runtime.mocks import MockMonitor, Mocks
    from pulumi.runtime.proto import resource_pb2

    class _NoMocks(Mocks):  # the monitor below answers everything itself
        def call(self, args: Any) -> Any:
            return {}, None

        def new_resource(self, args: Any) -> Any:
            return "", {}

    class Monitor(MockMonitor):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(_NoMocks())
            self.lock = threading.Lock()
            self.captured: dict[str, _Registration] = {}
            self.provider_regions: dict[str, str | None] = {}
            self.provider_tags: dict[str, dict[str, Any]] = {}
            self.unanswered: set[str] = set()  # data sources whose results are unknown
            self.stack_urn = f"urn:pulumi:{stack}::{project}::{STACK_TYPE}::{project}-{stack}"

        def make_urn(self, parent: str, type_: str, name: str) -> str:
            # The engine's URN: the parent's qualified type chain, the stack left out.
            if parent and parent != self.stack_urn:
                type_ = parent.split("::")[2] + "$" + type_
            return f"urn:pulumi:{stack}::{project}::{type_}::{name}"

        def _region(self, provider_ref: str, inputs: Mapping[str, Any]) -> str | None:
            own = inputs.get("region")
            if isinstance(own, str) and own != UNKNOWN:
                return own
            if provider_ref:
                return self.provider_regions.get(provider_ref.rsplit("::", 1)[0], region)
            return region

        def _record(self, request: Any, urn: str, custom: bool, inputs: dict[str, Any],
                    outputs: dict[str, Any], region_: str | None) -> None:
            prop_deps = getattr(request, "propertyDependencies", {})
            deps = {
                key: tuple(sorted(set(value.urns))) for key, value in sorted(prop_deps.items())
            }
            position = request.sourcePosition  # what the engine records as sourcePosition
            location = roots.position(position.uri, position.line, position.column)
            with self.lock:
                self.captured[urn] = _Registration(
                    urn=urn, type=request.type, name=request.name, custom=custom,
                    parent=request.parent or None, provider=request.provider or None,
                    region=region_, inputs=inputs, outputs=outputs,
                    dependencies=tuple(sorted(set(getattr(request, "dependencies", ())))),
                    property_dependencies=deps, location=location,
                )

        def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC name)
            urn = self.make_urn(request.parent, request.type, request.name)
            if request.type == STACK_TYPE:
                self.stack_urn = urn
                self._record(request, urn, False, {}, {}, None)
                return resource_pb2.RegisterResourceResponse(urn=urn)
            inputs = _plain(request.object)
            custom = bool(request.custom)
            if not custom:
                state: dict[str, Any] = {}
                where = None
            elif request.type.startswith("pulumi:providers:"):
                rid = computed.uuid_of(urn)
                where = inputs.get("region") if request.type == AWS_PROVIDER_TYPE else None
                where = where if isinstance(where, str) and where != UNKNOWN else region
                with self.lock:
                    self.provider_regions[urn] = where
                    self.provider_tags[urn] = _default_tags(inputs.get("defaultTags"))
                state = {**inputs, "id": rid}
            else:
                where = self._region(request.provider, inputs)
                state = {**inputs, **computed.computed(
                    request.type, request.name, urn, inputs, where
                )}
                if request.type.startswith("aws:") and ("tags" in inputs or request.provider):
                    provider_urn = request.provider.rsplit("::", 1)[0]
                    default_tags = self.provider_tags.get(provider_urn, {})
                    if "tags" in inputs or default_tags:
                        state["tagsAll"] = computed.tags_all(inputs, default_tags)
            self._record(request, urn, custom, inputs, state, where)
            rid = str(state.get("id", ""))
            obj = _struct(state)
            for key, value in request.object.fields.items():
                if _holds_asset(value):  # hand assets and archives back as the SDK sent them
                    obj.fields[key].CopyFrom(value)
            return resource_pb2.RegisterResourceResponse(urn=urn, id=rid, object=obj)

        def ReadResource(self, request: Any) -> Any:  # noqa: N802 (gRPC name)
            # Existing resources (`.get`, stack references) are not created by the program;
            # only stack references go in the graph, their outputs unknown.
            urn = self.make_urn(request.parent, request.type, request.name)
            inputs = _plain(request.properties)
            if request.type == STACK_REFERENCE_TYPE:
                state = {"name": request.id, "outputs": UNKNOWN}
                self._record(request, urn, True, {"name": request.id}, state, None)
            else:
                where = self._region(request.provider, inputs)
                state = {**inputs, **computed.computed(
                    request.type, request.name, urn, inputs, where
                ), "id": request.id}
            obj = _struct(state)
            return resource_pb2.ReadResourceResponse(urn=urn, properties=obj)

        def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802 (gRPC name)
            outputs = _plain(request.outputs)
            with self.lock:
                found = self.captured.get(request.urn)
                if found is not None and not found.custom:
                    found.outputs = outputs
            return super().RegisterResourceOutputs(request)

        def Invoke(self, request: Any) -> Any:  # noqa: N802 (gRPC name)
            args = _plain(request.args)
            where = self._region(request.provider, args)
            result = computed.invoke(request.tok, args, where)
            if result is None:  # reads the real account: unknown offline, never empty
                with self.lock:
                    self.unanswered.add(request.tok)
                result = _unknown_result(request.tok, args)
                if result is None:
                    return resource_pb2.ResourceInvokeResponse(unknown=True)
            # Unknowns stay in (unlike _struct): they reach the program as Pulumi's Unknown.
            from google.protobuf import struct_pb2

            ret = struct_pb2.Struct()
            ret.update(result)
            return resource_pb2.ResourceInvokeResponse(failures=None, **{"return": ret})

    return Monitor()


# --- running the program -------------------------------------------------------------------

# A plain data-source call (`get_vpc()`, not `get_vpc_output()`) hands the program Pulumi's
# `Unknown` for each value offline cannot know. Falsy, it passes the SDK result types'
# `if value and not isinstance(value, ...)` checks; printed, it reads as the unknown sentinel,
# so a string built from it (an ARN, a name) is marked unknown in the graph too.
# Indexed or iterated (`zones.names[0]`, `for az in zones.names`), it is one unknown item, so
# the program declares its resources with unknown values instead of stopping.
_UNKNOWN_BEHAVIOUR: dict[str, Any] = {
    "__bool__": lambda self: False,
    "__repr__": lambda self: UNKNOWN,
    "__getitem__": lambda self, key: self,
    "__iter__": lambda self: iter((self,)),
    "__len__": lambda self: 1,
}


@contextlib.contextmanager
def _plain_unknowns() -> Iterator[None]:
    from pulumi.output import Unknown

    saved = {k: Unknown.__dict__.get(k) for k in _UNKNOWN_BEHAVIOUR}
    for key, value in _UNKNOWN_BEHAVIOUR.items():
        setattr(Unknown, key, value)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                delattr(Unknown, key)
            else:
                setattr(Unknown, key, value)


_RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "")  # guardian/graph/
_STOP = ""  # a frame of the runner: below it, nothing is the program's


def _own_files(roots: Roots) -> Callable[[str], str | None]:
    """filename -> its file URI when it is the repository's own code; None for a library,
    Guardian itself, the interpreter's files or anything outside the repository; _STOP for
    the runner's own frames. Cached: a program has few files and registers many resources.
    Called with the program's directory as working directory: filenames are absolute there
    (runpy and imports through sys.path give absolute ones)."""
    foreign = tuple(os.path.join(os.path.abspath(p), "") for p in {
        sys.prefix, sys.base_prefix, sys.exec_prefix,
        os.path.dirname(_RUNNER.rstrip(os.sep)),  # the guardian package
    })
    cache: dict[str, str | None] = {}

    def own(filename: str) -> str | None:
        if filename not in cache:
            path = os.path.abspath(filename)
            relative = roots.relative(path) if not path.startswith(foreign) else None
            own_file = relative is not None and not is_library(Path(relative)) \
                and os.path.isfile(path)
            cache[filename] = (_STOP if path.startswith(_RUNNER)
                               else Path(path).as_uri() if own_file else None)
        return cache[filename]

    return own


@contextlib.contextmanager
def _source_positions(roots: Roots) -> Iterator[None]:
    """Each registration's source position: the innermost frame in the repository's own files.

    Pulumi asks `_get_stack_trace` at every registration and sends its first frame as the
    request's `sourcePosition`; its own version extracts the whole stack with source lines,
    the costliest step of registering a resource. This one walks the frames and stops at the
    first that is the user's. Without that SDK function (another Pulumi version), resources
    keep whatever position Pulumi gives.
    """
    from pulumi.runtime import resource as sdk_resource
    from pulumi.runtime.proto import source_pb2

    saved = getattr(sdk_resource, "_get_stack_trace", None)
    if saved is None:
        yield
        return
    own = _own_files(roots)

    def stack_trace() -> Any:
        caller = sys._getframe(1)  # register_resource(res, ...) or read_resource(res, ...)
        registering = caller.f_locals.get("res")
        frame = caller.f_back
        while frame is not None:
            uri = own(frame.f_code.co_filename)
            if uri == _STOP:
                break
            # A resource's own constructor (a component's __init__ calling super().__init__)
            # is not where it was declared: its caller is.
            if uri is not None and (registering is None
                                    or frame.f_locals.get("self") is not registering):
                position = source_pb2.SourcePosition(uri=uri, line=frame.f_lineno)
                return source_pb2.StackTrace(frames=[source_pb2.StackFrame(pc=position)])
            frame = frame.f_back  # type: ignore[assignment]
        return source_pb2.StackTrace()

    sdk_resource._get_stack_trace = stack_trace
    try:
        yield
    finally:
        sdk_resource._get_stack_trace = saved


_SDK_PATHS = tuple(
    os.sep + part + os.sep
    for part in ("pulumi", "pulumi_aws", "asyncio", "concurrent", "grpc", "google")
)


def _user_frames(exc: BaseException) -> list[traceback.FrameSummary]:
    """The traceback without Pulumi's, asyncio's and our own frames."""
    here = os.path.abspath(__file__)
    frames = traceback.extract_tb(exc.__traceback__)
    return [
        f for f in frames
        if os.path.abspath(f.filename) != here
        and not any(p in f.filename for p in _SDK_PATHS)
        and not f.filename.endswith(("runpy.py", "threading.py"))
        and not f.filename.startswith("<frozen")
    ]


def _program_error(project: Project, exc: BaseException) -> UserError:
    missing = exc.name if isinstance(exc, ModuleNotFoundError) else None
    if missing and missing.split(".")[0].startswith("pulumi_"):
        package = missing.split(".")[0].replace("_", "-")
        return UserError(f"the Pulumi program in {project.program} imports {missing}, which is "
                         f"not installed here: pip install {package} (in the environment that "
                         "runs guardian), then run it again")
    frames = "".join(traceback.format_list(_user_frames(exc)))
    message = "\n".join([str(exc) or type(exc).__name__, *getattr(exc, "__notes__", ())])
    text = f"the Pulumi program in {project.program} failed: {type(exc).__name__}: {message}"
    if frames:
        text += "\nTraceback (the program's frames):\n" + frames.rstrip("\n")
    return UserError(text)


def _run(project: Project, stack: str, config: dict[str, str], secret_keys: list[str],
         fast: bool) -> Any:
    """Run the program once under a fresh monitor; the monitor holds what it registered.
    `fast`: through guardian.graph.fast (its availability checked by the caller)."""
    import runpy

    import pulumi.runtime
    from pulumi.runtime import settings
    from pulumi.runtime.mocks import MockEngine, MockSettings
    from pulumi.runtime.stack import run_in_stack

    region = config.get("aws:region")
    roots = Roots.of_project(project.root)
    monitor = _make_monitor(project.name, stack, region, roots)
    loop = InlineLoop() if fast else asyncio.new_event_loop()
    # A failed program leaves many futures holding its one error, which is reported once.
    loop.set_exception_handler(lambda _loop, _context: None)
    asyncio.set_event_loop(loop)
    before = set(sys.modules)
    cwd = os.getcwd()
    sys.path.insert(0, str(project.program))
    try:
        # What `set_mocks` does, minus the extra root Stack it would register.
        settings.configure(MockSettings(
            monitor=monitor,
            monitor_features=set(monitor.GetDeploymentInfo(None).supportedFeatures),
            engine=MockEngine(None), project=project.name, stack=stack, dry_run=True,
            organization="organization", callbacks=None,
        ))
        settings.ROOT.set(None)
        pulumi.runtime.set_all_config(config, secret_keys)
        os.chdir(project.program)
        with warnings.catch_warnings(), _plain_unknowns(), _source_positions(roots), \
                only_what_is_used(), single_wait() if fast else contextlib.nullcontext():
            # pulumi_aws warns about its own deprecated aliases as it loads: not the user's news.
            warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"pulumi_aws\.")
            def program() -> None:
                runpy.run_path(str(project.program), run_name="__main__")

            loop.run_until_complete(run_in_stack(program))
    except Exception as exc:
        if monitor.unanswered:
            exc.add_note(
                f"Offline, the results of {', '.join(sorted(monitor.unanswered))} are unknown "
                "(they read the real account). Plain Python cannot compute with unknown values: "
                "use the data source's _output form (e.g. get_vpc_output) and Output.apply, "
                "or check a `pulumi preview --json` with --preview."
            )
        raise
    finally:
        os.chdir(cwd)
        sys.path.remove(str(project.program))
        # The program's own modules must not leak into the next run or the next program.
        for name in set(sys.modules) - before:
            origin = getattr(sys.modules[name], "__file__", None) or ""
            if origin.startswith(str(project.program)):
                del sys.modules[name]
        loop.close()
        asyncio.set_event_loop(None)
    return monitor


def synthesize(
    program_dir: Path, stack: str = "dev", config: Mapping[str, str] = {},
    *, cache: Path | None = None, fast: bool = True,
) -> ResourceGraph:
    """Run the Pulumi program in `program_dir` offline and return every resource it registers.

    `program_dir` is the project directory (with Pulumi.yaml, whose `main` is followed) or the
    program directory itself. Config comes from Pulumi.<stack>.yaml, then `config` overrides
    (keys with or without the project namespace); without that file, a warning on stderr and
    the project's defaults and `config` only. With `cache`, a graph kept there from an earlier
    run of the same files and config is returned instead of running the program again
    (guardian.graph.cache). `fast` takes guardian.graph.fast's path through Pulumi's runtime
    when the installed Pulumi allows it (else a one-line note, and the plain path); both give
    the same graph. Raises UserError for a missing or broken project and for a
    program that raises (its message and its own frames only).
    """
    project = find_project(Path(program_dir))
    stack_file = project.stack_file(stack)
    # Not an error: a real stack may have no config file (all defaults, or values set
    # elsewhere), but a misspelt --stack would otherwise go unnoticed.
    no_stack_file = None if stack_file.is_file() else \
        f"no {stack_file.name} in {shown(stack_file.parent)}"
    if no_stack_file:
        print(f"guardian: warning: {no_stack_file}: using the project's config defaults and "
              "--config only", file=sys.stderr)
    values, secret_keys = stack_config(project, stack, config)
    plain = sorted(k for k in secret_keys if values[k] != SECRET)  # a secure key given in clear
    for key in plain:
        print(f"guardian: warning: --config {key} overrides a secure value of "
              f"{stack_file.name} in plain text; it stays secret: every value holding it "
              f"reads {SECRET} in the graph", file=sys.stderr)
    entry = Roots.of_project(project.root).relative(project.program / "__main__.py")
    source = Source("program", shown(project.program), entry)
    kept = _cache_entry(cache, project, stack, values, secret_keys) if cache else None
    if kept is not None and (graph := kept.load(source)) is not None:
        return graph
    if fast and (reason := unavailable()) is not None:
        note_fallback(reason)
        fast = False
    with _LOCK, long_lived(), kept.recording() if kept else contextlib.nullcontext():
        try:
            monitor = contextvars.copy_context().run(
                _run, project, stack, values, secret_keys, fast)
        except UserError:
            raise
        except Exception as exc:  # noqa: BLE001 (any program failure is the user's to fix)
            from pulumi.config import ConfigMissingError

            if no_stack_file and isinstance(exc, ConfigMissingError):
                exc.add_note(f"({no_stack_file}: is --stack {stack} the stack you mean? "
                             f"Else give the value with --config {exc.key}=VALUE)")
            raise _program_error(project, exc) from None
        resources = [conform(r.resource()) for r in monitor.captured.values()]
        secrets = tuple(values[k] for k in plain if values[k])
        if secrets:
            resources = [replace(r, inputs=_conceal(r.inputs, secrets),
                                 outputs=_conceal(r.outputs, secrets)) for r in resources]
        graph = ResourceGraph(resources, source)
    if kept is not None:
        kept.save(graph)
    return graph


def _cache_entry(directory: Path, project: Project, stack: str, values: Mapping[str, str],
                 secret_keys: list[str]) -> Any:
    from guardian.graph.cache import Entry, file_digest

    stack_file = project.stack_file(stack)
    return Entry(directory, {
        "project": str(project.root), "program": str(project.program), "stack": stack,
        # A secret given in clear with --config reaches the cache only as its digest.
        "config": {k: hashlib.sha256(v.encode()).hexdigest() if k in secret_keys else v
                   for k, v in values.items()}, "secret_keys": secret_keys,
        "project_file": [file_digest(str(p)) for p in sorted(project.root.glob("Pulumi.y*ml"))],
        "stack_file": file_digest(str(stack_file)),
    })


def _conceal(value: Any, secrets: tuple[str, ...]) -> Any:
    """The value with every string that holds one of the secrets replaced by SECRET: a program
    may read a secure key with `config.get` (not `get_secret`) and pass it on in clear."""
    if isinstance(value, str):
        return SECRET if any(s in value for s in secrets) else value
    if isinstance(value, Mapping):
        return {k: _conceal(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_conceal(v, secrets) for v in value]
    return value

