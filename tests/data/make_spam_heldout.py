"""Writes tests/data/spam_heldout.jsonl: the spam filter's held-out set (never trained on).

Comments written for this project, not copied from anywhere. Some spam is written plainly and then disguised
with the tricks the filter must see through (homoglyphs, zero-width characters, fullwidth text, spaced letters);
the disguises are applied here so that the file stays reproducible. Run: python tests/data/make_spam_heldout.py
"""

from __future__ import annotations

import json
from pathlib import Path

HAM = [
    (
        "Maria Keller",
        "",
        "Thanks for the clear write-up on the council budget. I had no idea the library hours were cut twice.",
    ),
    (
        "Tom",
        "",
        "The photo of the old harbour crane brought back memories. My grandfather worked there in the seventies.",
    ),
    ("Zoë Łukasiewicz", "", "I disagree with the conclusion: the survey only asked people who already ride the tram."),
    (
        "Дмитрий Петров",
        "",
        "Good article. The timeline section helped me understand why the bridge repairs took so long.",
    ),
    (
        "José Álvarez",
        "https://josealvarez.example.org",
        "I wrote about the same festival last year; the crowd numbers you quote match what the organisers told me.",
    ),
    (
        "Anneke",
        "",
        "The new casino on the waterfront was rejected by the planning board, not approved — the article says the opposite in paragraph three.",
    ),
    (
        "Priya S.",
        "",
        "My brother works for a pharmaceutical company and he says the shortage is about packaging, not the drug itself.",
    ),
    (
        "Henrik",
        "",
        "> the ferry will run every twenty minutes\n\nOnly on weekdays, according to the timetable they published on Monday.",
    ),
    (
        "Claire Dubois",
        "https://claire-dubois.example.fr/notes/2026/tram-line",
        "I kept notes from the public meeting here: https://claire-dubois.example.fr/notes/2026/tram-line",
    ),
    (
        "李明",
        "",
        "Thank you for including the translation of the mayor's speech. Very useful for those of us still learning the language.",
    ),
    ("Sam", "", "Typo in the second heading: 'recieve' should be 'receive'. Otherwise a great piece."),
    ("Olufemi", "", "Is there a recording of the debate? I could only catch the last half hour on the radio."),
    (
        "Greta H.",
        "",
        "As someone who grew up on that street, I can confirm the bakery has been there since 1962, not 1972.",
    ),
    (
        "Mark Brennan",
        "",
        "Interesting that the casino tax revenue is ring-fenced for schools. Does anyone know if that is in the law or just a promise?",
    ),
    (
        "Nadia",
        "",
        "The pharmaceutical plant closing will hit the town hard. Over four hundred jobs, and most of them skilled.",
    ),
    ("Björn", "", "I rode the new cycle lane this morning. It is great until the roundabout, then it simply stops."),
    (
        "Fatima Zahra",
        "",
        "Could you follow up on the school meals story? Parents at our school still have not heard anything.",
    ),
    (
        "Ewan",
        "",
        'Quoting the minister: "we will review the decision in spring". That is what they said last spring too.',
    ),
    (
        "Lucía",
        "https://lucia-fotografia.example.com",
        "Lovely photos. The one of the lighthouse in the fog is my favourite.",
    ),
    ("Ruth", "", "My late husband played in that brass band for thirty years. Thank you for remembering them."),
    (
        "Kenji Watanabe",
        "",
        "The chart in the middle has its axes swapped, I think: the years are on the vertical axis.",
    ),
    (
        "Ingrid",
        "",
        "I have been to three of the five restaurants on the list and I would add the little Eritrean place on Mill Road.",
    ),
    ("Paul O'Neill", "", "Fair reporting. Both sides got their say and the numbers are sourced. More of this please."),
    (
        "Amara",
        "",
        "Is the consultation still open? The link in the article leads to a page that says it closed yesterday.",
    ),
    (
        "Dr. Helen Carter",
        "",
        "As a GP I would add that the flu vaccine is free for carers too, not only for the over-65s.",
    ),
    ("Yusuf", "", "Wonderful interview. She explains the history of the market better than any book I have read."),
    ("Chloé", "", "I won a small prize in the poetry contest mentioned here, back in 2019. Glad to see it continues!"),
    ("Tobias", "", "Does the article mean gross or net income? The median figure looks high for our region."),
    ("Margaret", "", "We need more coverage of rural bus routes. The number 42 now runs twice a day."),
    (
        "Ravi Kumar",
        "https://ravikumar.example.net",
        "Great to see the science fair get attention. My daughter's team built a water filter from sand and charcoal.",
    ),
    (
        "Ana",
        "",
        "The casino night fundraiser raised £3,000 for the hospice, which is more than last year. Well done everyone.",
    ),
    ("Pieter", "", "This is the best explanation of the rate rise I have read. Even my teenage son understood it."),
    ("Siobhán", "", "I'd like to correct one detail: the choir is from St Brigid's, not St Bride's."),
    ("Oskar", "", "Anyone know if the swimming pool reopens before the summer holidays?"),
    (
        "Leila",
        "",
        "The pharmacy on the corner had no insulin pens for a week. The pharmaceutical supply chain is more fragile than people think.",
    ),
    ("George", "", "Fantastic piece, but please add the date of the meeting to the first paragraph."),
    ("Hanna", "", "I printed this for my mother who does not use the internet. She asked me to say thank you."),
    ("Malik", "", "The team deserved that win. The second goal was as good as anything I've seen at that ground."),
    ("Agnieszka", "", "Why do the new flats have no bicycle storage? It seems like an obvious thing to plan for."),
    ("Colin", "", "Good luck to the volunteers cleaning the river on Saturday. I'll bring gloves and bin bags."),
    ("Marta", "", "Reading this from Lisbon. It's funny how the same housing debate is happening here."),
    ("Samuel", "", "The earlier article said 300 homes; this one says 350. Which is correct?"),
    ("Noor", "", "I attended the session about online safety at the library. Very practical advice for parents."),
    ("Frank", "", "Nice to see good news for a change. Congratulations to the graduates."),
    ("Elif", "", "Can you share where the air quality data comes from? I'd like to look at the raw numbers."),
    ("Jürgen", "", "Der Artikel ist sehr gut. Thank you for also publishing it in German last week."),
    ("Bea", "", "The flood maps in the article are from 2015. The council updated them in 2023."),
    (
        "Harriet",
        "",
        "I've played poker with friends for years and never set foot in a casino; the addiction figures still shocked me.",
    ),
    ("Kwame", "", "Strong reporting on the hospital waiting lists. The personal stories make the statistics real."),
    ("Ines", "", "Small correction: the market opens at 8, not 9, on Saturdays since January."),
    (
        "Vincent",
        "https://vincent-bikes.example.com/workshop",
        "If anyone needs help fixing a bike for the ride, we run a free workshop on Thursdays.",
    ),
    ("Rosa", "", "My grandmother's recipe for that soup uses barley, not rice. Regional differences, I suppose!"),
    ("Abdi", "", "The story about the refugee football team made my day. They train near my house."),
    ("Lena", "", "Excellent. I'd be curious to hear from the shop owners on the high street too."),
    ("Mei", "", "I moved here two years ago and articles like this help me understand local politics."),
    ("Dan", "", "The headline is a bit misleading; the body says the plan was paused, not cancelled."),
    ("Ólafur", "", "Greetings from Reykjavík. We have the same problem with tourist buses in the old town."),
    ("Patricia", "", "Thank you for covering the dementia café. My dad goes every Tuesday and loves it."),
    (
        "Wojciech",
        "",
        "The council spokesperson's quote contradicts what was said at the meeting. Can you check the minutes?",
    ),
    ("Ahmed", "", "Is the road closure on the 14th or the 15th? The article mentions both."),
    ("Sophie", "", "I'd buy the book on local history if it gets printed. Please let us know!"),
    ("Gabriel", "", 'A quote from the article: "free parking after 6pm". Is that every day or weekdays only?'),
    ("Hiroko", "", "Beautiful writing about the autumn fair. I could almost smell the roasted chestnuts."),
    ("Ben", "", "Spot on about the potholes. I lost a tyre on Station Road last week."),
    ("Astrid", "", "Why was the vote postponed? The article doesn't say."),
    ("Carlos", "", "The offer of free loans for solar panels sounds good, but what are the conditions?"),
    (
        "Emma W.",
        "",
        "I work in online marketing and even I find the number of ads on local sites exhausting. Your site is a relief.",
    ),
    ("Thabo", "", "The quiz night was great fun, thanks to everyone who came. See you next month."),
    ("Irene", "", "My son has the same teacher mentioned in the article. She truly deserves the award."),
    ("Nikolai", "", "Could you do a piece on the history of the old cinema? Many of us remember it fondly."),
    ("Aoife", "", "The bus timetable link is broken, it gives a 404."),
    ("Peter", "", "Best regards from a long-time reader. Keep up the good work!"),
    ("Salma", "", "Great news about the free swimming lessons for children. Where do we sign up?"),
    ("Klaus", "", "I counted the trees on the plan: 48, not 84 as the article says. Maybe a transposition?"),
    ("Yasmin", "", "The article about weight loss clinics was balanced. Too many people fall for miracle pills."),
    ("Otto", "", "I've been reading this blog since it started. This is one of the best pieces yet."),
    (
        "Grace",
        "",
        "My daughter's class is raising money for the animal shelter. Can we send you a photo for the community page?",
    ),
    ("Ibrahim", "", "The price of bread went up 20% in our shop too. It's not just the big supermarkets."),
    (
        "Mathilde",
        "",
        "Thank you for explaining the new recycling rules. Yellow bin for plastic, blue for paper, right?",
    ),
]

SPAM = [
    (
        "Best Casino Bonus",
        "https://megawin-casino.top",
        "Get 200 free spins and a 500% welcome bonus at the best online casino! Sign up today, instant withdrawals.",
    ),
    (
        "cheap meds",
        "https://rx-discount-store.ru",
        "Buy viagra and cialis online without prescription. Cheap generic pills, discreet worldwide shipping.",
    ),
    (
        "SEO Expert",
        "https://rank1-seo-agency.xyz",
        "I noticed your website is not ranking on Google. We can get you to the first page in 7 days with our backlinks package.",
    ),
    (
        "Crypto King",
        "https://btc-doubler.io",
        "I turned $500 into $27,000 in two weeks with this bitcoin trading bot. Message me on WhatsApp to learn how.",
    ),
    (
        "Loan Help",
        "https://fast-payday-cash.info",
        "Need cash fast? Payday loans approved in minutes, no credit check, bad credit OK. Apply now!",
    ),
    (
        "Essay Writer",
        "https://essaywritingpro.site",
        "Struggling with homework? Our professional writers will write your essay, thesis or dissertation. Plagiarism free, cheap prices.",
    ),
    (
        "Replica Watches",
        "https://luxury-replicas.shop",
        "High quality replica rolex and omega watches at 90% off. Swiss movement, free shipping worldwide.",
    ),
    (
        "followers",
        "https://insta-boost.click",
        "Buy real Instagram followers and likes cheap! 10k followers for only $9.99, instant delivery.",
    ),
    (
        "Hot Singles",
        "https://meet-hot-girls.date",
        "Lonely tonight? Hot singles in your area want to meet you. Free registration, chat now.",
    ),
    (
        "CBD Oil",
        "https://bestcbd-gummies.store",
        "Our CBD gummies cure anxiety, pain and insomnia. Order now and get 50% off plus free shipping!",
    ),
    (
        "Weight Loss",
        "https://keto-slim-pills.online",
        "Lose 15 kg in 30 days with these keto diet pills. Doctors hate this one simple trick!",
    ),
    (
        "Make Money",
        "https://work-from-home-cash.biz",
        "Earn $5000 a week working from home! No experience needed. Click here to start making money online today.",
    ),
    (
        "Forex Signals",
        "https://forex-profit-signals.vip",
        "Guaranteed forex signals with 98% accuracy. Join our VIP telegram group and double your investment.",
    ),
    (
        "Web Design",
        "https://cheap-webdesign.in",
        "Hello, I am a web developer. Your website design is outdated and loses customers. I can redesign it for just $99. Reply for a quote.",
    ),
    (
        "Betting Tips",
        "https://sure-bet-tips.bet",
        "Fixed matches 100% sure odds, win big every weekend. Contact our agent for today's tips.",
    ),
    (
        "Sarah Johnson",
        "https://sarah-binary-options.com",
        "My name is Sarah and I made a fortune with binary options investment. Thanks to Mr. Williams the best account manager, contact him now.",
    ),
    (
        "Pharmacy Online",
        "https://canadian-pharmacy-rx.net",
        "Canadian pharmacy online: tramadol, xanax, valium without prescription. Lowest prices, overnight delivery.",
    ),
    (
        "Slots",
        "https://slot-gacor-88.xyz",
        "Situs slot gacor hari ini, maxwin jackpot besar! Daftar sekarang dapat bonus new member 100%.",
    ),
    (
        "Guest Post",
        "https://guestpost-outreach.co",
        "Hi admin, do you accept guest posts? We pay $50 for a dofollow link on your blog. Please reply with your price.",
    ),
    (
        "Dating",
        "https://sexy-russian-brides.love",
        "Beautiful Russian women are looking for a husband. View thousands of photos and chat with brides for free.",
    ),
    (
        "Spell Caster",
        "https://love-spell-doctor.com",
        "Dr. Okon the great spell caster brought my ex lover back in 48 hours. Contact him on email for any love spell.",
    ),
    (
        "Hacker",
        "https://recover-crypto-funds.net",
        "Lost your bitcoin to scam? Contact our hacker recovery expert to recover your stolen funds, 100% guaranteed.",
    ),
    (
        "Promo",
        "https://free-iphone-giveaway.win",
        "Congratulations! You have been selected to win a free iPhone 17. Claim your prize now before it expires!",
    ),
    (
        "Backlinks",
        "https://buy-backlinks-cheap.xyz",
        "Boost your SEO with 5000 high DA backlinks. Cheap link building service, fast results guaranteed.",
    ),
    (
        "Mortgage",
        "https://refinance-lowrate.loan",
        "Refinance your mortgage today at the lowest rate ever. Get approved instantly, no paperwork required.",
    ),
    (
        "Casino Online",
        "https://royal-casino-777.club",
        "Play roulette, blackjack and slots at Royal Casino 777. Deposit bonus up to $1000, play now!",
    ),
    (
        "Male Enhancement",
        "https://alpha-male-boost.shop",
        "Increase your size and stamina with our natural male enhancement pills. Satisfaction guaranteed!",
    ),
    (
        "Nice post",
        "https://cheap-nfl-jerseys.store",
        "Nice post, very informative. Buy cheap NFL jerseys wholesale from China at our store.",
    ),
    (
        "Investment",
        "https://crypto-mining-invest.pro",
        "Invest in our crypto mining pool and earn 3% daily profit. Minimum deposit $100, withdraw anytime.",
    ),
    (
        "Tech Support",
        "https://printer-support-helpline.us",
        "Printer offline? Call our toll free tech support number for instant help with HP, Canon and Epson printers.",
    ),
]

# Spintax templates: spammers post them unexpanded by mistake, or expanded in many ways.
SPINTAX = [
    (
        "{Great|Awesome|Nice} {post|article}! {Check out|Visit} my {site|blog} for {cheap|discount} {pills|meds}.",
        "Mike",
        "https://pills-discount.top",
    ),
    (
        "{Hi|Hello|Hey} there, {I like|I love} your {blog|website}. {Earn money|Make cash} {fast|quickly} at my page.",
        "Jenny",
        "https://cash-fast-now.xyz",
    ),
    (
        "{Wow|Amazing}, {this|that} is {very|really} {useful|helpful}. {Get|Grab} your {free|bonus} {spins|credits} at our casino.",
        "Lucky",
        "https://spin-palace-win.club",
    ),
]

# Genuine comments copied word for word, posted with a spammer's name and website.
COPIED = [
    (
        "Buy Cheap Viagra",
        "https://cheap-viagra-pills.ru",
        "Thanks for the clear write-up on the council budget. I had no idea the library hours were cut twice.",
    ),
    (
        "casino bonus",
        "https://free-spins-casino.top",
        "Excellent. I'd be curious to hear from the shop owners on the high street too.",
    ),
    (
        "Payday Loans",
        "https://instant-payday-loans.biz",
        "Best regards from a long-time reader. Keep up the good work!",
    ),
    (
        "SEO services",
        "https://seo-rank-booster.xyz",
        "Nice to see good news for a change. Congratulations to the graduates.",
    ),
]

HOMOGLYPHS = {"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "x": "х", "i": "і", "y": "у"}  # Latin -> Cyrillic


def homoglyphs(text: str) -> str:
    return "".join(HOMOGLYPHS.get(ch, ch) if i % 2 == 0 else ch for i, ch in enumerate(text))


def zero_width(text: str) -> str:
    return "\u200b".join(text[i : i + 2] for i in range(0, len(text), 2))


def fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ("\u3000" if ch == " " else ch) for ch in text)


def spaced(text: str) -> str:
    words = text.split(" ")
    return " ".join(" ".join(w) if len(w) > 3 and i % 2 == 0 else w for i, w in enumerate(words))


def leet(text: str) -> str:
    return text.translate(str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5"}))


def bbcode(body: str, website: str) -> str:
    return f"{body} [url={website}]click here[/url] [b]limited offer[/b]"


def markdown(body: str, website: str) -> str:
    return f"{body} [best deals]({website}) and [more]({website}/offer)"


def very_long(body: str) -> str:
    filler = " ".join([body] * 12)
    return f"{filler} {body}"


def rows() -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for name, website, body in HAM:
        out.append({"name": name, "website": website, "body": body, "label": "ham", "trap": "plain"})
    # a long genuine comment: length alone is no sign of spam
    out.append(
        {
            "name": "Margaret",
            "website": "",
            "body": " ".join(body for _n, _w, body in HAM[10:22]),
            "label": "ham",
            "trap": "long",
        }
    )
    tricks = [
        ("homoglyphs", lambda n, w, b: (n, w, homoglyphs(b))),
        ("zero-width", lambda n, w, b: (n, w, zero_width(b))),
        ("fullwidth", lambda n, w, b: (n, w, fullwidth(b))),
        ("spaced", lambda n, w, b: (n, w, spaced(b))),
        ("leetspeak", lambda n, w, b: (n, w, leet(b))),
        ("bbcode", lambda n, w, b: (n, "", bbcode(b, w))),
        ("markdown", lambda n, w, b: (n, "", markdown(b, w))),
        ("very-long", lambda n, w, b: (n, w, very_long(b))),
    ]
    for i, (name, website, body) in enumerate(SPAM):
        out.append({"name": name, "website": website, "body": body, "label": "spam", "trap": "plain"})
        trick, apply = tricks[i % len(tricks)]
        n, w, b = apply(name, website, body)
        out.append({"name": n, "website": w, "body": b, "label": "spam", "trap": trick})
        if i % 3 == 0:  # a second disguise for every third
            trick, apply = tricks[(i + 3) % len(tricks)]
            n, w, b = apply(name, website, body)
            out.append({"name": n, "website": w, "body": b, "label": "spam", "trap": trick})
    for template, name, website in SPINTAX:
        out.append({"name": name, "website": website, "body": template, "label": "spam", "trap": "spintax"})
    for name, website, body in COPIED:
        out.append({"name": name, "website": website, "body": body, "label": "spam", "trap": "copied"})
    return out


def main() -> None:
    path = Path(__file__).with_name("spam_heldout.jsonl")
    with path.open("w", encoding="utf-8") as f:
        for row in rows():
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
