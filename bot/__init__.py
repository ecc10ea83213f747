"""Briefbot: cited news briefs, answered in plain words.

The pipeline, in order:

    seeds/*.txt --bot.build--> briefs/*.yaml --bot.briefs--> BriefSet
    question --bot.match--> ranked sentences --bot.answer--> Answer --bot.render / bot.tg--> reply

Everything outside `bot.tg` is pure Python with no Telegram import.
"""

__version__ = "0.1.0"
