"""The command line in Chinese: ``python -m gan --lang zh`` (or a Chinese locale) shows every
help, argparse's own words and the common errors in Chinese, from gan/locale/zh/gan.po.

The catalogue check is `gan.cli.catalogue.problems`, which a maintainer runs as ``python -m
gan.cli.catalogue status``: every help the built parser shows, argparse's user-facing messages
and the ``_`` templates of gan/cli need a twin that is not stale and keeps the English's
placeholders. The planted cases show that a new text, a stale twin and a lost placeholder are
each caught.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from gan import language
from gan.cli import catalogue

ROOT = Path(__file__).resolve().parent.parent


def gan(*args, **environment):
    env = {key: value for key, value in os.environ.items()
           if key not in language.LOCALE_VARIABLES}
    env.update(environment)
    return subprocess.run([sys.executable, "-m", "gan", *args], capture_output=True, text=True,
                          timeout=120, env=env, cwd=ROOT)


def test_every_text_of_the_command_line_has_a_current_chinese_twin():
    assert catalogue.problems() == []


def test_a_new_text_a_stale_twin_and_a_lost_placeholder_are_caught(tmp_path, monkeypatch):
    copy = tmp_path / "gan.po"
    shutil.copy(language.CATALOGUE, copy)
    monkeypatch.setattr(language, "CATALOGUE", copy)
    monkeypatch.setattr(language, "ARGPARSE_MESSAGES",
                        language.ARGPARSE_MESSAGES + ("a message argparse added",))
    assert catalogue.problems() == ["no twin for 'a message argparse added'"]
    monkeypatch.undo()
    monkeypatch.setattr(language, "CATALOGUE", copy)
    with open(copy, "rb") as file:
        planted = read_po(file)
    planted["expected one argument"].flags.add("fuzzy")
    planted["{name} must be an integer in [{low}, {high}], got {text!r}"].string = (
        "{name} 必须是整数，实际为 {text!r}")
    with open(copy, "wb") as file:
        write_po(file, planted)
    found = catalogue.problems()
    assert len(found) == 2
    assert found[0].startswith("stale twin") or found[1].startswith("stale twin")
    assert any("placeholders differ" in line and "{low}" in line for line in found)


def test_lang_zh_shows_the_help_in_chinese_and_english_stays_the_default():
    chinese = gan("--lang", "zh", "train", "--help")
    assert chinese.returncode == 0
    assert chinese.stdout.startswith("用法：python -m gan train")
    assert "每个生成器步对应的判别器步数（算法 1 中的 k）" in chinese.stdout
    assert "显示本帮助信息并退出" in chinese.stdout
    english = gan("train", "--help", LANG="C.UTF-8")
    assert english.stdout.startswith("usage: python -m gan train")
    assert "discriminator steps per generator step" in english.stdout


def test_a_chinese_locale_asks_for_chinese_and_lang_wherever_it_stands_overrides_it():
    assert gan("--help", LANG="zh_CN.UTF-8").stdout.startswith("用法：")
    assert gan("--help", LC_ALL="zh_TW.UTF-8", LANG="C").stdout.startswith("用法：")
    assert gan("--help", LANG="zh_CN.UTF-8", LANGUAGE="en_GB").stdout.startswith("usage: ")
    assert gan("train", "--help", "--lang", "en", LANG="zh_CN.UTF-8").stdout.startswith("usage:")
    assert gan("train", "--lang=zh", "--help").stdout.startswith("用法：")


def test_the_common_errors_speak_chinese():
    wrong_type = gan("--lang", "zh", "train", "--k", "x")
    assert wrong_type.returncode == 2
    assert "错误：参数 --k：无效的 int 值：'x'" in wrong_type.stderr
    wrong_choice = gan("--lang", "zh", "train", "--engine", "turbo")
    assert "无效的选择：'turbo'" in wrong_choice.stderr
    missing = gan("--lang", "zh", "diagnose")
    assert "缺少以下必需参数：RUN" in missing.stderr
    bad_target = gan("--lang", "zh", "train", "--target", "cauchy:0,1")
    assert "目标 'cauchy:0,1'：格式必须是" in bad_target.stderr
    assert "实际为 'cauchy:0,1'" in bad_target.stderr


def test_an_unknown_language_is_refused_by_name():
    done = gan("--lang", "fr", "train")
    assert done.returncode == 2
    assert "--lang must be one of en, zh, got 'fr'" in done.stderr
    with pytest.raises(ValueError, match="got 'klingon'"):
        language.requested(["--lang=klingon"], environ={})
    assert language.requested(["train", "--lang", "zh", "--k", "2"], environ={}) == (
        "zh", ["train", "--k", "2"])


def test_the_configs_range_errors_speak_chinese_and_an_unknown_shape_stays_english():
    steps = gan("--lang", "zh", "train", "--steps", "0", "--no-progress")
    assert steps.returncode == 2
    assert "错误：steps 必须是正整数，实际为 0（允许：1 到 1e9）" in steps.stderr
    momentum = gan("--lang", "zh", "train", "--momentum", "1", "--no-progress")
    assert "momentum 必须是 [0, 1) 中的数，实际为 1.0" in momentum.stderr
    english = gan("train", "--steps", "0", "--no-progress", LANG="C.UTF-8")
    assert "error: steps must be a positive integer, got 0 (allowed: 1 to 1e9)" in english.stderr
    try:
        language.install("zh")
        assert language.translate_error("grid_size must be an integer >= 16, got 3 (allowed: "
                                        "16 to 1e9)") == "grid_size 必须是 >= 16 的整数，实际为 3（允许：16 到 1e9）"
        odd = "betas must be a pair of numbers, got 3"      # a kind the catalogue lacks
        assert language.translate_error(odd) == odd
    finally:
        language.install("en")


def test_the_figures_gan_draws_follow_the_language_when_a_chinese_font_is_in_use():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from gan.plots import losses_figure
    from gan.train import History

    history = History(d_loss=np.full(20, 1.4), g_loss=np.full(20, 0.7), value=np.full(20, -1.4),
                      grid=np.zeros(3), p_data_grid=np.zeros(3), z_line=np.zeros(3))

    def title(lang, figures):
        language.install(lang, figures=figures)
        try:
            figure = losses_figure(history)
            return figure.axes[0].get_title(), figure.axes[0].get_xlabel()
        finally:
            plt.close("all")
            language.install("en")

    assert title("en", False) == (
        "The losses settle at the equilibrium levels when D can no longer tell p_g from p_data",
        "step (generator updates)")
    assert title("zh", True) == ("当 D 再也分不清 p_g 与 p_data 时，损失稳定在均衡水平",
                                 "步数（生成器更新次数）")
    assert title("zh", False)[1] == "step (generator updates)"    # no font: English, no boxes
