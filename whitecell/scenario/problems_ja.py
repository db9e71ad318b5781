"""The scenario validator's findings in Japanese.

Designers who work in Japanese read what is wrong with their scenario in Japanese. The
English message stays the one programs, logs and the CLI use: this module only translates
it for display, by matching it against the English templates of the message sites
(``load.py``, ``yamlsrc.py``, ``builder.py``, ``sections.py``, ``expr.py``) and writing
the Japanese template with the same values (ids, numbers, quoted values, allowed lists)
put back unchanged. A message no template matches is returned as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from string import Template

# The validator's own words inside a message (what a value is, what was expected, "none
# declared"...), by the name of the group that captures them; every other captured value,
# and these groups when they hold anything else (an author's id), is put back as written.
_WORDS: Mapping[str, Mapping[str, str]] = {
    # load._kind: what a value is
    "kind": {
        "a number": "数値",
        "text": "テキスト",
        "a list": "リスト",
        "a mapping": "マッピング",
        "true/false": "true/false",
        "nothing": "空の値",
        # a Python type name: what YAML makes of a date, a time stamp, !!binary, !!set
        "date": "日付",
        "datetime": "日時",
        "bytes": "バイナリ",
        "set": "集合",
    },
    # load._EXPECT: what was expected
    "expected": {
        "a number": "数値",
        "a whole number": "整数",
        "true or false": "true または false の値",
        "text": "テキスト",
        "a list": "リスト",
        "a mapping": "マッピング",
        "a date (YYYY-MM-DD)": "日付(YYYY-MM-DD)",
    },
    # builder.unknown and expr: what exists, when nothing does
    "known": {
        "none declared": "なし",
        "(none declared)": "(なし)",
        "(no card facts)": "(カードに数値がありません)",
    },
    # load._message, builder.narrative: what is allowed; the schema's descriptions of a
    # form (any other description is shown as written)
    "allowed": {
        "none": "なし",
        "see the schema": "スキーマを参照",
        "Lower-case letters, digits and underscores, starting with a letter.": (
            "英小文字・数字・アンダースコア(先頭は英小文字)"
        ),
        "Publication date as precise as known: YYYY, YYYY-MM or YYYY-MM-DD.": (
            "わかる精度での出版日:YYYY、YYYY-MM、YYYY-MM-DD"
        ),
        "Where the source can be read.": "出典を読める場所",
        "e.g. 14d, 2w, 36h": "例:14d, 2w, 36h",
    },
    # builder.unknown: what was not found
    "what": {
        "team": "チーム",
        "variable": "変数",
        "agreement kind": "合意の種類",
        "clause": "条項",
        "escalation level": "エスカレーションの段階",
        "mediator (a role or team id)": "調停者(役割またはチームのid)",
    },
}
_PATTERN = re.compile(r"the pattern (?P<pattern>.*)", re.DOTALL)

# what load._kind may say a value is: fixed phrases, or a Python type name
_KIND = r"(?P<kind>a number|a list|a mapping|text|true/false|nothing|[A-Za-z_][\w.]*)"

_TABLE: tuple[tuple[str, str], ...] = (
    # -- load.load_scenario_file: the file itself (the last ones are the OS's own words)
    (r"no such file", "ファイルがありません"),
    (
        r"outcome (?P<id>\S+) is a number: only a yes/no outcome can be a headline",
        "結果 ${id} は数値です:見出し(headline)にできるのは真偽の結果だけです",
    ),
    (r"is a directory, not a file", "ファイルではなくディレクトリです"),
    (r"not UTF-8 text \(byte (?P<n>\d+)\)", "UTF-8 のテキストではありません(バイト位置${n})"),
    (r"Permission denied", "読み取る権限がありません"),
    (r"Not a directory", "パスの途中にディレクトリでないものがあります"),
    (r"File name too long", "ファイル名が長すぎます"),
    (r"Too many levels of symbolic links", "シンボリックリンクの階層が深すぎます"),
    # -- yamlsrc.parse_yaml: the YAML text
    (
        r"the file is empty \(expected a scenario mapping\)",
        "ファイルが空です(シナリオのマッピングが必要です)",
    ),
    (r"not valid YAML: (?P<detail>.*)", "YAML として正しくありません:$detail"),
    (r"mapping keys must be plain text", "マッピングのキーは単純なテキストにしてください"),
    (
        r"(?P<value>'.*') cannot be read \((?P<detail>.*)\)",
        "$value は読み取れません($detail)",
    ),
    (
        r"duplicate key '(?P<key>.*)' \(each key may appear once in a mapping\)",
        "キー '$key' が重複しています(一つのマッピングに同じキーは一度しか書けません)",
    ),
    # -- load.parse_scenario: the document as a whole
    (
        r"expected a scenario mapping at the top level, got (?P<kind>.*)",
        "最上位にはシナリオのマッピングが必要ですが、${kind}が書かれています",
    ),
    (r"the scenario is not valid", "シナリオに誤りがあります"),
    # -- load._message and load._structural_problems: pydantic's structural errors
    (r"required field is missing", "必須の項目がありません"),
    (
        r"unknown field '(?P<field>.*)' \(allowed: (?P<allowed>.*)\)",
        "未知の項目 '$field'(使える項目:$allowed)",
    ),
    (
        r"probability (?P<value>.*) is outside \[0, 1\] \(allowed: 0 to 1\)",
        "確率 $value が範囲 [0, 1] の外です(0〜1 にしてください)",
    ),
    (
        r"(?P<value>.*) is out of range \(allowed: (?P<limit>(?:>=|<=|>|<) .*)\)",
        "$value は範囲外です(使える値:$limit)",
    ),
    (
        r"(?P<value>.*) is not of the expected form \(allowed: (?P<allowed>.*)\)",
        "$value は求められる形ではありません(使える形:$allowed)",
    ),
    (
        r"(?P<value>.*) is too long \(allowed: at most (?P<n>\d+) characters\)",
        "$value は長すぎます(${n}文字まで)",
    ),
    (r"needs at least (?P<n>\d+) items?", "少なくとも${n}個の要素が必要です"),
    (r"has too many items \(allowed: at most (?P<n>.*)\)", "要素が多すぎます(${n}個まで)"),
    (
        r"expected text in each language such as \{en: \.\.\., ja: \.\.\.\}, got " + _KIND,
        "言語ごとのテキスト({en: ..., ja: ...} の形)が必要ですが、${kind}が書かれています",
    ),
    (r"the '(?P<lang>.*)' text is empty", "'$lang' のテキストが空です"),
    (r"delta for (?P<key>.*) must be a finite number", "$key の変化量は有限の数にしてください"),
    (r"input should be a finite number", "有限の数にしてください"),
    (
        r"datetimes provided to dates should have zero time - e\.g\. be exact dates",
        "日付に時刻は書けません(日付だけを書いてください)",
    ),
    (
        _KIND + r" (?P<value>.*) is not valid here \(allowed: (?P<allowed>.*?)\)?",
        "${kind} $value はここでは使えません(使えるもの:$allowed)",
    ),
    # -- sections._check_initial (before the general "expected ..., got ..." below)
    (
        r"expected a number, got true/false \(allowed: type: flag for booleans\)",
        "数値が必要ですが、true/false が書かれています(真偽値には type: flag を使います)",
    ),
    # -- load._message again: a value of the wrong type
    (
        r"expected (?P<expected>.*?), got " + _KIND + r" (?P<value>.*)",
        "${expected}が必要ですが、${kind} $value が書かれています",
    ),
    (
        r"(?P<value>.*) is not allowed \(allowed: (?P<allowed>.*)\)",
        "$value は使えません(使えるもの:$allowed)",
    ),
    # -- expr._Translator.name: names in expressions (before the builder's similar ones)
    (
        r"'(?P<var>.*)' is a global variable and has no field '(?P<field>.*)'",
        "'$var' はグローバル変数で、フィールド '$field' はありません",
    ),
    (
        r"'(?P<var>.*)' is kept per team: write (?P<a>.*)\.TEAM, (?P=a)\.actor or (?P=a)\.target",
        "'$var' はチームごとの変数です($a.TEAM、$a.actor、$a.target のいずれかで書いてください)",
    ),
    (
        r"'(?P<ref>.*)' has no meaning here: no (?P<who>actor|target) is defined",
        "'$ref' はここでは意味を持ちません($who が定義されていません)",
    ),
    (
        r"unknown team '(?P<team>.*)' in '(?P<ref>.*)' \(teams: (?P<teams>.*)\)",
        "'$ref' の中の未知のチーム '$team'(チーム:$teams)",
    ),
    (
        r"write agreements\.KIND\.in_force\|signed\|broken with KIND one of: (?P<known>.*)",
        "agreements.KIND.in_force|signed|broken と書いてください(KIND は次のいずれか:$known)",
    ),
    (
        r"write clauses\.CLAUSE with CLAUSE one of: (?P<known>.*)",
        "clauses.CLAUSE と書いてください(CLAUSE は次のいずれか:$known)",
    ),
    (
        r"unknown action '(?P<action>.*)': write actions\.ACTION\.taken\|succeeded\|failed "
        r"with ACTION one of: (?P<known>.*)",
        "未知の行動 '$action': actions.ACTION.taken|succeeded|failed と書いてください"
        "(ACTION は次のいずれか:$known)",
    ),
    (
        r"write actions\.ACTION\.taken\|succeeded\|failed with ACTION one of: (?P<known>.*)",
        "actions.ACTION.taken|succeeded|failed と書いてください(ACTION は次のいずれか:$known)",
    ),
    (
        r"write injects\.INJECT with INJECT one of: (?P<known>.*)",
        "injects.INJECT と書いてください(INJECT は次のいずれか:$known)",
    ),
    (
        r"write cards\.CARD\.FACT with one of: (?P<known>.*)",
        "cards.CARD.FACT の形で、次のいずれかを書いてください:$known",
    ),
    (
        r"unknown name '(?P<name>.*)' \(did you mean (?P<close>.*?)\? variables: (?P<vars>.*); "
        r"also (?P<also>round, rounds, .*)\)",
        "未知の名前 '$name'($close のことですか? 変数:$vars。ほかに使える名前:$also)",
    ),
    (
        r"unknown name '(?P<name>.*)' \(variables: (?P<vars>.*); "
        r"also (?P<also>round, rounds, .*)\)",
        "未知の名前 '$name'(変数:$vars。ほかに使える名前:$also)",
    ),
    # -- expr: the shape of an expression
    (r"unsupported operator \(allowed: (?P<ops>.*)\)", "使えない演算子です(使えるもの:$ops)"),
    (r"unsupported comparison \(allowed: (?P<ops>.*)\)", "使えない比較です(使えるもの:$ops)"),
    (r"unknown function \(allowed: (?P<funcs>.*)\)", "未知の関数です(使えるもの:$funcs)"),
    (r"the number (?P<n>.*) is too large", "数 $n は大きすぎます"),
    (
        r"only numbers and true/false are allowed, not (?P<value>.*)",
        "使えるのは数値と true/false だけです($value は使えません)",
    ),
    (
        r"only dotted names such as cohesion\.ukraine are allowed",
        "名前は cohesion.ukraine のようなドット区切りの形だけが使えます",
    ),
    (r"(?P<func>.*)\(\) needs at least one argument", "$func() には引数が少なくとも一つ必要です"),
    (
        r"this kind of expression is not allowed \((?P<node>.*)\)",
        "この種類の式は使えません($node)",
    ),
    (
        r"the expression is (?P<n>\d+) characters long \(at most (?P<max>\d+)\)",
        "式が${n}文字あります(${max}文字まで)",
    ),
    (r"not a valid expression: (?P<detail>.*)", "式として正しくありません:$detail"),
    (
        r"the expression is nested too deeply \(split it, or use fewer brackets and signs\)",
        "式の入れ子が深すぎます(式を分けるか、括弧や符号を減らしてください)",
    ),
    # -- builder.Builder: references to teams, variables, agreements; effects; narratives
    (
        r"unknown (?P<what>team|variable|agreement kind|clause|escalation level"
        r"|mediator \(a role or team id\)) "
        r"'(?P<ident>.*)' \(known: (?P<known>.*)\)",
        "未知の${what} '$ident'(定義済み:$known)",
    ),
    (
        r"'(?P<ref>.*)': no (?P<who>actor|target) is defined here",
        "'$ref': ここでは $who が定義されていません",
    ),
    (
        r"'(?P<var>.*)' is kept per team: write (?P<forms>.*)",
        "'$var' はチームごとの変数です(次のいずれかで書いてください:$forms)",
    ),
    (
        r"'(?P<var>.*)' is a global variable: write just '(?P<again>.*)'",
        "'$var' はグローバル変数です:'$again' とだけ書いてください",
    ),
    (
        r"'(?P<var>.*)' is a flag: set it to true or false",
        "'$var' はフラグです:true か false を設定してください",
    ),
    (
        r"(?P<value>.*) is outside \[(?P<lo>.*), (?P<hi>.*)\] \(the range of '(?P<var>.*)'\)",
        "$value は '$var' の範囲 [$lo, $hi] の外です",
    ),
    (
        r"only an action's effects can reveal variables "
        r"\(intelligence reports go to the acting team\)",
        "変数を明かせるのは行動の効果だけです(情報報告は行動したチームに届きます)",
    ),
    (
        r"bad placeholder: (?P<detail>.*) "
        r"\(write \{actor\} or \{target\}; double the braces for a literal one\)",
        "プレースホルダーが正しくありません"
        "({actor} か {target} と書きます。波括弧そのものは二つ重ねて書きます):$detail",
    ),
    (
        r"unknown placeholder \{(?P<name>.*)\} \(allowed: (?P<allowed>.*)\)",
        "未知のプレースホルダー {$name}(使えるもの:$allowed)",
    ),
    # -- sections.ids: ids
    (
        r"'(?P<id>.*)' is a reserved word \(reserved: (?P<reserved>.*)\)",
        "'$id' は予約語です(予約語:$reserved)",
    ),
    (r"'(?P<id>.*)' is a reserved word", "'$id' は予約語です"),
    (
        r"'free' names free-form actions: choose another id",
        "'free' は自由行動を表します:別の id を選んでください",
    ),
    (
        r"'adhoc' names the white cell's own injects: choose another id",
        "'adhoc' はホワイトセル自身のインジェクトを表します:別の id を選んでください",
    ),
    (
        r"'(?P<id>.*)' already means something in expressions \(reserved: (?P<reserved>.*)\)",
        "'$id' は式の中ですでに意味を持っています(予約語:$reserved)",
    ),
    (r"'(?P<id>.*)' is already a team id", "'$id' はすでにチームの id です"),
    (
        r"duplicate id '(?P<id>.*)' \(already used by (?P<where>.*); ids must be unique\)",
        "id '$id' が重複しています($where で使用済み。id は一意にしてください)",
    ),
    # -- sections.texts: translations
    (
        r"missing translation: (?P<missing>.*) \(every text needs: (?P<langs>.*)\)",
        "翻訳がありません:$missing(全てのテキストに必要な言語:$langs)",
    ),
    (
        r"language '(?P<lang>.*)' is not declared in meta\.languages \(declared: (?P<langs>.*)\)",
        "言語 '$lang' は meta.languages で宣言されていません(宣言済み:$langs)",
    ),
    # -- sections: variables
    (
        r"min \((?P<min>.*)\) must be below max \((?P<max>.*)\)",
        "min の値 $min は max の値 $max より小さくしてください",
    ),
    (
        r"a flag is 0 or 1: leave out min and max \(allowed: type: number\)",
        "フラグは 0 か 1 です:min と max は書かないでください(範囲を持つ変数は type: number)",
    ),
    (
        r"visibility 'owner' needs an owner team \(or per_team: true\)",
        "visibility 'owner' には owner のチームが必要です(または per_team: true)",
    ),
    (
        r"a per-team variable is owned by each team; leave out owner",
        "チームごとの変数は各チームが持つものです:owner は書かないでください",
    ),
    (
        r"no initial value for team\(s\) (?P<teams>.*) "
        r"\(give one value for all teams or one per team\)",
        "チーム $teams の初期値がありません"
        "(全チーム共通の値を一つ書くか、チームごとに書いてください)",
    ),
    (
        r"a global variable has one initial value \(set per_team: true for one value per team\)",
        "グローバル変数の初期値は一つです(チームごとの値にするには per_team: true)",
    ),
    (
        r"a flag starts as true or false, not (?P<value>.*)",
        "フラグの初期値は true か false です($value は使えません)",
    ),
    (
        r"initial value (?P<value>.*) is outside \[(?P<lo>.*), (?P<hi>.*)\] \(min to max\)",
        "初期値 $value が範囲 [$lo, $hi](min〜max)の外です",
    ),
    # -- sections: rounds
    (r"only negotiation rounds have a venue", "venue(会場)があるのは交渉ラウンドだけです"),
    (
        r"a negotiation round needs a 'negotiation' section with clauses and agreements",
        "交渉ラウンドには条項と合意を含む 'negotiation' セクションが必要です",
    ),
    (r"only action rounds take actions", "行動を受け付けるのは審判ラウンドだけです"),
    (
        r"the round list has no action round "
        r"\(allowed: at least one round with kind: action\)",
        "審判ラウンドが一つもありません(kind: action のラウンドが少なくとも一つ必要です)",
    ),
    # -- sections: negotiation
    (
        r"clause\(s\) (?P<clauses>.*) are already required "
        r"\(a clause is required or optional, not both\)",
        "条項 $clauses はすでに必須です(条項は必須か任意のどちらか一方です)",
    ),
    # -- sections: injects, dynamics, adjudication
    (
        r"an inject needs a trigger \(allowed: round, when, chance, or a mix\)",
        "インジェクトには発動のきっかけが必要です(使えるもの:round、when、chance、またはその組み合わせ)",
    ),
    (
        r"round (?P<n>\d+) does not exist \(allowed: 1 to (?P<count>\d+)\)",
        "第${n}ラウンドはありません(使えるもの:1〜$count)",
    ),
    (
        r"visibility 'team' is for a rule applied per team "
        r"\(add teams, or choose public or control\)",
        "visibility 'team' はチームごとに適用するルール用です"
        "(teams を加えるか、public か control を選んでください)",
    ),
    (
        r"the rule changes nothing \(add change or set\)",
        "このルールは何も変えません(change か set を加えてください)",
    ),
    (
        r"a change is a number or an expression, not true/false",
        "変化量は数値か式です(true/false は使えません)",
    ),
    (
        r"min_probability must not exceed max_probability",
        "min_probability は max_probability 以下にしてください",
    ),
)

_RULES: tuple[tuple[re.Pattern[str], Template], ...] = tuple(
    (re.compile(english, re.DOTALL), Template(japanese)) for english, japanese in _TABLE
)


def _word(group: str, value: str) -> str:
    """A captured value as it goes into the Japanese text: unchanged, unless it is one of
    the validator's own words."""
    words = _WORDS.get(group, {})
    if value in words:
        return words[value]
    pattern = _PATTERN.fullmatch(value) if group == "allowed" else None
    return f"パターン {pattern['pattern']}" if pattern else value


def in_japanese(message: str) -> str:
    """``message`` (one validator problem, in English) in Japanese; unchanged if it matches
    no known template."""
    for pattern, template in _RULES:
        found = pattern.fullmatch(message)
        if found:
            values = {k: _word(k, v) for k, v in found.groupdict().items()}
            return template.substitute(values)
    return message
