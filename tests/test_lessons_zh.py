"""The lessons in Chinese: every text has its twin, the twins are not stale, and both languages
print the same numbers and the same claims.

The English stands in each lesson; its Chinese twin is in ``lessons/locale/zh/<lesson>.po``
(lessons/translations.py). The catalogue checks here are the same `translations.problems` a
translator runs as ``python lessons/translations.py status``; the planted cases show that each
kind of drift is caught: a changed English text loses its twin (and `update` flags the old one
stale), a twin that drops a field or a number is named, an f-string is refused. The runs compare
what a learner sees: ``--lang zh`` and the default English run of the same lesson with the same
flags write the same claims file, byte for byte, and print the same numbers.
"""

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import warnings
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS_DIR = ROOT / "lessons"
sys.path.insert(0, str(LESSONS_DIR))

import translations  # noqa: E402  (lessons/ is not a package)

LESSONS = translations.lesson_scripts()
NAMES = [translations.SHARED] + [path.stem for path in LESSONS]


@pytest.mark.parametrize("name", NAMES)
def test_every_text_has_a_current_chinese_twin_with_the_same_fields_and_numbers(name):
    problems = translations.problems(name)
    assert not problems, f"{name}: " + "\n".join(problems[:20])


def copy_lesson(tmp_path, monkeypatch, name="05_value_function"):
    """A copy of one lesson and its catalogue, with translations pointed at it."""
    lessons = tmp_path / "lessons"
    (lessons / "locale" / "zh").mkdir(parents=True)
    shutil.copy(LESSONS_DIR / f"{name}.py", lessons)
    shutil.copy(LESSONS_DIR / "locale" / "zh" / f"{name}.po", lessons / "locale" / "zh")
    monkeypatch.setattr(translations, "LESSONS_DIR", lessons)
    monkeypatch.setattr(translations, "LOCALE_DIR", lessons / "locale")
    return lessons / f"{name}.py"


def test_a_changed_english_text_loses_its_twin_and_update_flags_the_old_one_stale(
        tmp_path, monkeypatch):
    script = copy_lesson(tmp_path, monkeypatch)
    assert translations.problems(script.stem) == []
    source = script.read_text(encoding="utf-8")
    changed = source.replace("A generator there feels almost no slope of C",
                             "A generator there feels hardly any slope of C")
    assert changed != source
    script.write_text(changed, encoding="utf-8")
    assert any("no twin" in line for line in translations.problems(script.stem))
    translations.update(script.stem)
    problems = translations.problems(script.stem)
    stale = [line for line in problems if "stale" in line]
    assert len(problems) == 1 and len(stale) == 1 and "Far from the target C" in stale[0]
    # at run time a stale twin is not used: the learner reads the current English
    table = translations.load(script.stem)
    current = next(m.text for m in translations.messages(script) if "hardly any" in m.text)
    assert translations.key(current) not in table


def test_a_twin_that_drops_a_field_or_a_number_is_named(tmp_path, monkeypatch):
    script = copy_lesson(tmp_path, monkeypatch)
    po = script.parent / "locale" / "zh" / f"{script.stem}.po"
    text = po.read_text(encoding="utf-8")
    assert "{spread:.4f}（标准差）" in text and "沿 mu = -3" not in text
    po.write_text(text.replace("{spread:.4f}（标准差）", "{spread:.3f}（标准差）")
                  .replace("分别在 mu = -3 和 mu = 2 处", "分别在两处"), encoding="utf-8")
    problems = translations.problems(script.stem)
    assert any("fields differ" in line and "spread" in line for line in problems)
    assert any("lacks the English's numbers ['-3', '2']" in line for line in problems)


def test_an_f_string_cannot_be_translated_and_is_refused(tmp_path, monkeypatch):
    script = copy_lesson(tmp_path, monkeypatch)
    script.write_text(script.read_text(encoding="utf-8") + '\nsay(f"{m} samples")\n',
                      encoding="utf-8")
    with pytest.raises(ValueError, match="f-string"):
        translations.messages(script)


def run(lesson, out, *flags):
    environment = {**os.environ, "MPLBACKEND": "Agg", "LESSON_TEXTS": "1"}
    environment.pop("LESSON_LANG", None)
    done = subprocess.run([sys.executable, str(lesson), "--fast", "--out", str(out), *flags],
                          capture_output=True, text=True, timeout=300, env=environment,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def numbers(stdout):
    """The numbers a run printed, as a multiset (the figures' paths aside)."""
    lines = [line for line in stdout.splitlines() if "[figure]" not in line]
    return Counter(translations.NUMBER.findall(" ".join(lines)))


# Every lesson's Chinese is checked against its English from one run in tests/test_lessons.py
# (texts.jsonl); these lessons are also run in Chinese, to show that a --lang zh run prints
# those very texts and computes the same claims. Three quick ones: the suite's time budget
# does not allow running all 28 twice.
RUN_IN_CHINESE = ("01_random_numbers", "04_discriminator", "05_value_function")


@pytest.mark.parametrize("name", RUN_IN_CHINESE)
def test_a_chinese_run_prints_the_chinese_texts_and_the_same_numbers_and_claims(name, tmp_path):
    lesson = LESSONS_DIR / f"{name}.py"
    english = run(lesson, tmp_path / "en")
    chinese = run(lesson, tmp_path / "zh", "--lang", "zh")
    claims = (tmp_path / "en" / "claims.jsonl").read_bytes()
    assert (tmp_path / "zh" / "claims.jsonl").read_bytes() == claims
    assert re.search(r"[\u4e00-\u9fff]", chinese) and "练习" in chinese
    assert (tmp_path / "en" / "texts.jsonl").read_bytes() == (
        tmp_path / "zh" / "texts.jsonl").read_bytes(), "the language changed what was computed"
    printed = "".join(chinese.split())
    texts = [json.loads(line) for line in
             (tmp_path / "zh" / "texts.jsonl").read_text(encoding="utf-8").splitlines()]
    unprinted = [text["zh"][:60] for text in texts if "".join(text["zh"].split()) not in printed]
    assert not unprinted, f"Chinese texts the --lang zh run did not print: {unprinted}"
    assert numbers(english) == numbers(chinese)


def test_a_chinese_figure_title_is_drawn_in_a_chinese_font_without_missing_glyphs():
    """With a Chinese font installed (.ci/run installs fonts-wqy-microhei), a title in Chinese
    with math in it draws every glyph; matplotlib warns 'does not have a glyph' otherwise, as
    it does here first with the Chinese font switched off."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    import _lesson

    font = _lesson.chinese_font()
    assert font is not None, ("no Chinese font installed: on Debian, apt install "
                              "fonts-wqy-microhei (as .ci/run does)")
    title = r"切片 $\sigma = 1$：C 在 $\mu = -1$ 处最小"

    def draw():
        """The complaints of missing glyphs (matplotlib warns or logs them) while drawing."""
        figure, axes = plt.subplots()
        axes.set_title(title)
        complaints = []
        handler = logging.Handler()
        handler.emit = lambda record: complaints.append(record.getMessage())
        logger = logging.getLogger("matplotlib")
        logger.addHandler(handler)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                figure.canvas.draw()
        finally:
            logger.removeHandler(handler)
            plt.close(figure)
        complaints += [str(w.message) for w in caught]
        return [line for line in complaints if "glyph" in line.lower()]

    with matplotlib.rc_context():
        matplotlib.rcParams["font.sans-serif"] = ["DejaVu Sans"]
        assert draw(), "a title in DejaVu Sans alone should miss the Chinese glyphs"
    with matplotlib.rc_context():
        _lesson.use_chinese_font(font)
        assert draw() == []
        chosen = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
        assert font_manager.get_font(chosen).family_name == font


def test_without_a_chinese_font_the_figures_keep_english_and_say_so_once(monkeypatch, capsys):
    import _lesson

    monkeypatch.setattr(_lesson, "chinese_font", lambda: None)
    monkeypatch.setattr(_lesson, "_language", dict(_lesson._language))
    from gan import language

    try:
        _lesson.use_language("zh", "05_value_function")
        said = capsys.readouterr().out
        assert said.count("No Chinese font") == 1
        assert _lesson._fig("nats") == "nats" and _lesson._("nats") == "奈特 (nats)"
        word = _lesson._word("higher")                 # a claim's word: Chinese in the text
        assert str(word) == "更高" and _lesson._fig(word) == "higher"   # ... English on a figure
        assert not language._figures["chinese"]       # gan's own figure text stays English too
    finally:
        language.install("en")                         # this worker's other tests speak English


def test_chinese_wraps_by_columns_and_joins_its_source_lines_without_spaces():
    import _lesson

    text = "生成器" * 40 + "\n判别器 mu = -1.00、\nsigma = 1.000"
    lines = _lesson.wrap(text, width=20).splitlines()
    assert all(sum(_lesson._columns(ch) for ch in line) <= 20 for line in lines)
    joined = "".join(lines)
    assert "生成器判别器" in joined and "-1.00" in joined and "sigma = 1.000" in _lesson.wrap(
        text, width=200)
    assert _lesson.wrap("a short line\nof English", width=88) == "a short line of English"


def test_lesson_lang_selects_the_language_and_rejects_an_unknown_one(monkeypatch):
    import _lesson

    monkeypatch.setenv("LESSON_LANG", "zh")
    assert _lesson.default_language() == "zh"
    monkeypatch.setenv("LESSON_LANG", "fr")
    with pytest.raises(SystemExit, match="LESSON_LANG='fr'.*en, zh"):
        _lesson.default_language()


@pytest.mark.parametrize("english", ["README.md", "lessons/README.md"])
def test_each_readme_has_a_chinese_twin_with_its_sections_and_every_lesson(english):
    """README.zh-CN.md beside README.md and lessons/README.zh-CN.md beside lessons/README.md:
    as many sections (## headings), the same glossary rows (the Chinese terms), and a link to
    every lesson script."""
    english_path = ROOT / english
    chinese_path = english_path.with_name("README.zh-CN.md")
    assert chinese_path.is_file(), f"{chinese_path.relative_to(ROOT)} is missing"
    source, twin = (path.read_text(encoding="utf-8") for path in (english_path, chinese_path))
    sections = [re.findall(r"^## ", text, re.MULTILINE) for text in (source, twin)]
    assert len(sections[0]) == len(sections[1]) > 0
    assert chinese_path.name in source, "the English README should point to its Chinese twin"
    glossary = [sorted(re.findall(r"^\| ([^|]*[\u4e00-\u9fff][^|]*) \| [^|]* \| `", text,
                                  re.MULTILINE)) for text in (source, twin)]
    assert glossary[0] == glossary[1]
    prefix = "lessons/" if english == "README.md" else ""
    unlinked = [path.name for path in LESSONS if f"]({prefix}{path.name})" not in twin]
    assert not unlinked, f"{chinese_path.name} does not link {unlinked}"


# The course notes' words, and the common words they replace (lessons/README.md, "The course's
# words"): a twin that uses the replaced word drifts from the course a student reads.
REPLACED_WORDS = {"价值函数": "目标函数", "批量归一化": "批归一化", "线性同余生成器": "线性同余法",
                  "显式模型": "显式建模", "隐式模型": "隐式建模", "鉴别器": "判别器",
                  "最佳判别器": "最优判别器", "推前": "前推", "批评家": "评论家", "评判器": "评论家", "游乐场": "演练场"}


def chinese_texts():
    """Every Chinese twin of the lessons and of the command line, with where it is."""
    from babel.messages.pofile import read_po

    for path in sorted((LESSONS_DIR / "locale" / "zh").glob("*.po")) + [
            ROOT / "gan" / "locale" / "zh" / "gan.po"]:
        with open(path, "rb") as file:
            for entry in read_po(file):
                if entry.id and entry.string:
                    yield path.name, entry.string


def replaced_words(texts):
    """Each use of a replaced word in (name, text) pairs, one line each."""
    return [f"{name}: {word!r} (the course says {course!r}) in {text[:50]!r}"
            for name, text in texts for word, course in REPLACED_WORDS.items() if word in text]


def test_the_chinese_uses_the_course_notes_words_not_their_common_synonyms():
    texts = list(chinese_texts())
    assert len(texts) > 100
    found = replaced_words(texts)
    assert not found, "\n".join(found[:20])


def test_a_replaced_word_would_be_caught():
    found = replaced_words([("x.po", "价值函数 V(D, G) 的最大值"), ("y.po", "目标函数 V")])
    assert found == ["x.po: '价值函数' (the course says '目标函数') in '价值函数 V(D, G) 的最大值'"]


def test_a_phrase_carries_a_claims_word_into_each_language(monkeypatch):
    """phrase() builds part of a sentence in the lesson's language and keeps both renderings,
    so texts.jsonl writes the Chinese word in the Chinese text (lesson 21's trapped critic)."""
    import _lesson

    twins = {"higher": "更高", "V is {word} here": "这里的 V {word}"}
    monkeypatch.setattr(_lesson, "_language", dict(_lesson._language, lang="en",
                                                   catalogue={}, twins=twins))
    word = _lesson._word("higher")
    part = _lesson.phrase("V is {word} here", word=word)
    assert str(part) == "V is higher here"
    assert (part.english, part.chinese) == ("V is higher here", "这里的 V 更高")
