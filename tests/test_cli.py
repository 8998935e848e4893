"""The command line: every error is one line on stderr with exit status 2.

What only a process shows (the entry point ``python -m numerics``, its exit status, the
demo and the studies on worker processes) runs in subprocesses; the argument checks run
:func:`numerics.cli.main` in this process, as the entry point calls it (each interpreter
start costs about 1.5 s of CPU, some 45 s for the checks on a 2-core machine)."""

import subprocess
import sys

import numpy as np
import pytest


def _run(*args, timeout=300, **kw):
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=timeout, **kw
    )


def _numerics(*args, **kw):
    return _run("-m", "numerics", *args, **kw)


def _main(capsys, *args):
    """``numerics *args`` in this process: its exit status, stdout and stderr."""
    from numerics import cli

    capsys.readouterr()
    try:
        code = cli.main(list(args))
    except SystemExit as e:
        code = e.code
    out = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out.out, out.err)


def _one_line_error(out, *words):
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert out.stderr.strip().count("\n") == 0, out.stderr
    assert all(w in out.stderr for w in ("error", *words)), out.stderr


def test_cli_formats_table_and_one_format():
    out = _numerics("formats")
    assert out.returncode == 0 and "float8_e4m3fn" in out.stdout and "448" in out.stdout
    one = _numerics("formats", "fp4", "--values")
    assert one.returncode == 0 and "6.0" in one.stdout and "-6.0" in one.stdout


def test_cli_bad_arguments_exit_2_with_one_line():
    out = _numerics("formats", "fp9")
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "unknown format 'fp9'" in out.stderr
    assert _numerics("bogus").returncode == 2
    assert _run("-m", "numerics").returncode == 2


def test_cli_demo_quick_writes_its_files(tmp_path):
    out = _numerics("demo", "--quick", "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "float4_e2m1fn" in out.stdout and "MXFP4" in out.stdout
    assert str(tmp_path) in out.stdout
    assert "\r" not in out.stderr  # no progress bar when stderr is not a terminal
    for name in ("formats.txt", "fft_error.txt", "fft_error.png", "mx_vs_nvfp4.txt"):
        assert (tmp_path / name).stat().st_size > 0
    names = (tmp_path / "fft_error.txt").read_text()
    assert all(f in names for f in ("bfloat16", "float16", "float8_e4m3fn", "float8_e5m2"))


def test_cli_cast(tmp_path):
    out = _numerics("cast", "e4m3", "0.3", "500", "--saturate")
    assert out.returncode == 0
    assert out.stdout.split("\n")[:2] == ["0.3 -> 0.3125", "500.0 -> 448.0"]
    src, dst = tmp_path / "x.npy", tmp_path / "y.npy"
    np.save(src, np.array([1.1, -2.6], dtype=np.float32))
    out = _numerics("cast", "fp4", "--npy", str(src), "--out", str(dst))
    assert out.returncode == 0 and np.load(dst).tolist() == [1.0, -3.0]
    out = _numerics("cast", "bf16", "1.001", "--rounding", "up")
    assert out.stdout.strip() == "1.001 -> 1.0078125"


def test_cli_fft_error(tmp_path):
    out = _run(
        "-m", "numerics", "fft-error", "--formats", "bf16", "--modes", "nearest_even",
        "--sizes", "16,64", "--trials", "2", "--out", str(tmp_path),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "bfloat16" in out.stdout and (tmp_path / "rdfft_error.png").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("cast", "fp9", "1"),
        ("cast", "e4m3"),
        ("cast", "e4m3", "x"),
        ("cast", "e4m3", "1", "--rounding", "sideways"),
        ("fft-error", "--sizes", "12"),
        ("fft-error", "--transform", "fft"),
        ("fft-error", "--trials", "many"),
        ("demo", "--bogus"),
        ("bogus",),
        ("fft-error", "--format", "xml"),
        ("fft-error", "--workers", "0", "--sizes", "16"),
        ("cast-error", "--scaling", "sideways"),
        ("cast-error", "--modes", "sideways"),
    ],
)
def test_cli_bad_arguments_one_line_exit_2(args, capsys):
    out = _main(capsys, *args)
    assert out.returncode == 2, (args, out.stdout, out.stderr)
    assert out.stderr.strip().count("\n") == 0 and "error" in out.stderr


def test_cli_unreachable_scheduler_one_line_exit_2():
    # in a process of its own: a client of the scheduler may leave threads behind
    out = _numerics("fft-error", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1")
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert out.stderr.strip().count("\n") == 0 and "error" in out.stderr


@pytest.mark.parametrize("cmd", ["formats", "cast", "fft-error", "cast-error", "demo"])
def test_cli_help(cmd, capsys):
    out = _main(capsys, cmd, "--help")
    assert out.returncode == 0 and "usage: numerics" in out.stdout
    # plain text, not reST; defaults and choices shown
    assert not any(m in out.stdout for m in ("``", ":func:", ":mod:", ":class:")), out.stdout
    if cmd in ("fft-error", "cast-error"):
        assert "(default: 8)" in out.stdout and "{txt,csv,json}" in out.stdout
        assert "--workers N" in out.stdout and "--scheduler ADDRESS" in out.stdout
    if cmd == "fft-error":
        assert "{rdfft,irdfft,dct,idct,fwht}" in out.stdout and "(default: 4:16)" in out.stdout


def test_cli_version_and_top_level_help():
    import numerics

    out = _numerics("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"numerics {numerics.__version__}"
    out = _numerics("--help")
    assert out.returncode == 0 and "cast-error" in out.stdout and "``" not in out.stdout


def test_cli_studies_write_csv_and_json_that_read_back(tmp_path):
    import numerics.transforms as T
    from numerics.analysis import quantization_study, read_report

    args = ("--formats", "bf16", "--modes", "nearest_even,stochastic", "--sizes", "16,64")
    out = _numerics("fft-error", *args, "--trials", "2", "--format", "csv", "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    want = T.error_study(
        sizes=[16, 64], formats=["bf16"], roundings=["nearest_even", "stochastic"], trials=2
    )
    assert read_report(out.stdout).equals(want)
    assert (tmp_path / "rdfft_error.csv").read_text() == out.stdout
    assert "\r" not in out.stderr and (tmp_path / "rdfft_error.png").exists()
    # on two local processes: the same report, byte for byte
    grid = ("cast-error", "--formats", "e4m3,fp4", "--modes", "up,stochastic", "--size", "64")
    serial = _numerics(*grid, "--format", "json")
    pool = _numerics(*grid, "--format", "json", "--workers", "2")
    assert serial.returncode == 0 and pool.returncode == 0, (serial.stderr, pool.stderr)
    assert serial.stdout == pool.stdout
    want = quantization_study(["e4m3", "fp4"], ["up", "stochastic"], size=64)
    assert read_report(serial.stdout).equals(want)


def test_cli_scheduler_without_distributed_says_what_to_install(monkeypatch, capsys):
    import sys as _sys

    from numerics import cli

    monkeypatch.setitem(_sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(SystemExit) as e:
        cli.main(["cast-error", "--size", "16", "--scheduler", "tcp://127.0.0.1:1"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "pip install distributed" in err and err.count("\n") == 1


@pytest.mark.parametrize("name", ["float64", "float32", "tf32"])
def test_cli_refuses_to_list_the_values_of_wide_formats(name, capsys):
    # float64 --values never finished, float32 would print 4 billion lines
    out = _main(capsys, "formats", name, "--values")
    _one_line_error(out, "too many to list", "at most 16 bits")
    assert out.stdout == ""


def test_cli_lists_the_values_of_16_bit_formats(capsys):
    out = _main(capsys, "formats", "bf16", "--values")
    assert out.returncode == 0, out.stderr
    values = [float(v) for v in out.stdout.splitlines()[4:]]
    assert len(values) == 2 * (2**15 - 2**7) - 1 and values[-1] == 3.3895313892515355e38


def test_cli_cast_takes_negative_numbers_with_exponents_and_inf(capsys):
    out = _main(capsys, "cast", "e4m3", "-1e-3", "-inf", "0.3", "-2.5E+2", "--saturate")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "-0.001 -> -0.001953125",
        "-inf -> -448.0",
        "0.3 -> 0.3125",
        "-250.0 -> -256.0",
    ]
    # an option's argument is left alone, and `--` still works
    out = _main(capsys, "cast", "bf16", "-1e-3", "-.5e1", "--rounding", "down", "--seed", "-1")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["-0.001 -> -0.001007080078125", "-5.0 -> -5.0"]
    out = _main(capsys, "cast", "bf16", "--", "-1e-3", "-nan")
    assert out.stdout.splitlines() == ["-0.001 -> -0.00099945068359375", "nan -> nan"]
    _one_line_error(_main(capsys, "cast", "e4m3", "-x"), "-x")


def test_cli_cast_out_writes_the_path_it_names(tmp_path):
    dst = tmp_path / "result"  # no .npy suffix: np.save would have written result.npy
    out = _numerics("cast", "fp4", "1.1", "-2.6", "--out", str(dst))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"wrote {dst}"
    assert np.load(dst).tolist() == [1.0, -3.0]
    assert not (tmp_path / "result.npy").exists()


def test_cli_fft_error_checks_out_before_the_study(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    args = ("--formats", "bf16", "--modes", "nearest_even", "--sizes", "16", "--trials", "1")
    out = _main(capsys, "fft-error", *args, "--out", str(tmp_path / "file" / "sub"))
    _one_line_error(out, "Not a directory")
    assert out.stdout == ""  # the study did not run


@pytest.mark.parametrize(
    "sizes, trials, words",
    [
        ("4:60", 8, ("at most 2**24",)),
        ("16,1099511627776", 8, ("at most 2**24",)),
        ("4:22", 100, ("memory",)),
        ("a:b", 8, ("lo:hi",)),
    ],
)
def test_cli_fft_error_bounds_sizes(sizes, trials, words, capsys):
    # 4:60 ended in a raw MemoryError
    out = _main(capsys, "fft-error", "--sizes", sizes, "--trials", str(trials))
    _one_line_error(out, *words)
    assert out.stdout == ""
