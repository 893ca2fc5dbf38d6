# Työpöydän omat tekstit suomeksi. Käyttäjien kirjoittamat tekstit näytetään sellaisinaan.
login-title = Kirjaudu
login-username = Käyttäjätunnus
login-password = Salasana
login-submit = Kirjaudu
login-failed = Väärä käyttäjätunnus tai salasana.
login-rate-limited = Liian monta epäonnistunutta kirjautumista. Odota muutama minuutti ja yritä uudelleen.
nav-overview = Yleiskuva
nav-personas = Persoonat
nav-maps = Polut
nav-compare = Nykytila ja tavoitetila
nav-dashboards = Mittaristot
nav-users = Käyttäjät
nav-logout = Kirjaudu ulos
role-viewer = lukija
role-editor = muokkaaja
role-admin = ylläpitäjä
error-title = Jokin meni vikaan
overview-counts =
    { $personas ->
        [one] { $personas } persoona
       *[other] { $personas } persoonaa
    }, { $maps ->
        [one] { $maps } polku
       *[other] { $maps } polkua
    }, { $imports ->
        [one] { $imports } datan tuonti
       *[other] { $imports } datan tuontia
    }
overview-data = Data
overview-imports = { $rows } riviä tuotu; viimeisin tuonti { $last }.
overview-warnings = Työtilassa on { $n ->
        [one] { $n } huomautus
       *[other] { $n } huomautusta
    }:
no-data = Dataa ei ole vielä tuotu
no-data-hint = Tuo tapahtumia verkkoanalytiikasta, CRM:stä tai mainosalustoilta, niin näet suppilot, polut, pysyvyyden ja katkokset täällä. Komentorivillä:
action-edit = Muokkaa
action-save = Tallenna
action-cancel = Peruuta
action-remove = Poista
action-print = Tulostusnäkymä
action-back = Takaisin
version = Versio
saved = Tallennettu.
one-per-line = (yksi riviä kohden)
persona-name = Nimi
persona-summary = Tiivistelmä
persona-quote = Sitaatti
persona-age = Ikä
persona-education = Koulutus
persona-role = Rooli
persona-reports_to = Raportoi
persona-context = Tausta
persona-goals = Tavoitteet
persona-dreams = Unelmat
persona-problems = Ongelmat ja haasteet
persona-behaviour = Toimintatavat
persona-motives = Motiivit
persona-judged_by = Miten työtä arvioidaan
persona-information_sources = Luotetut tietolähteet
persona-social_channels = Sosiaalisen median kanavat
persona-objections = Vastaväitteet
col-map = Polku
col-persona = Persoona
col-kind = Tyyppi
col-stages = Vaiheita
col-role = Rooli
kind-current = nykytila
kind-future = tavoitetila
kind-day-in-the-life = päivä elämässä
map-title = Otsikko
lane-owner = Omistaja
lane-goals = Tavoitteet
lane-actions = Toiminta
lane-pain_points = Kipupisteet
lane-moments_of_truth = Totuuden hetket
lane-opportunities = Mahdollisuudet
lane-touchpoints = Kosketuspiste
lane-emotion = Tunne
none = (ei omistajaa)
owner-of-stage = (vaiheen omistaja)
add-from-catalogue = Lisää luettelosta…
drop-here = Pudota kosketuspisteitä luettelosta tähän
catalogue = Kosketuspisteluettelo
drag-hint = Vedä kosketuspiste vaiheeseen ja tallenna.
compare-none = Yksikään tavoitetilan polku ei kerro, mitä polkua se parantaa (`improves:`).
all-personas = Kaikki persoonat
filter-from = Alkaen
filter-to = Asti
filter-apply = Näytä
dash-living = Elävä polku
dash-funnel = Vaiheiden suppilo
dash-sankey = Polut
dash-retention = Pysyvyys viikkokohorteittain (%)
dash-attribution = Attribuutio malleittain: konversiota edeltäneet kanavat
dash-breakpoints = Katkokset: mikä korjataan ensin
dash-backward = { $n } siirtymää taaksepäin vaiheiden välillä; { $customers } asiakasta.
dash-other = muut polut
dash-flows = Virrat askelten välillä (Sankey)
living-unbound = ei mitattu (ei sääntöjä)
living-events = tapahtumaa
living-unmatched = { $n } / { $all } tapahtumasta ei osu yhteenkään tämän polun kosketuspisteeseen.
col-stage = Vaihe
col-reached = saavutti
col-to-next = seuraavaan vaiheeseen
col-drop-off = poistuma
col-median-time = mediaaniaika vaiheessa
col-path = Polku
col-journeys = Polkuja
col-from = Mistä
col-to = Mihin
col-cohort = Kohortti
col-where = Missä
col-owner = Omistaja
col-left = Poistui / saavutti
col-expected = Odotettu
col-value-lost = Menetetty arvo
users-add = Lisää käyttäjä
unsaved-input = Syötteesi, jota ei tallennettu
error-stale = Joku muu muutti tiedostoa { $file } sen jälkeen, kun avasit sen; mitään ei tallennettu. Lomakkeella on nyt nykyinen versio, ja syötteesi on alla, jotta voit tehdä muutoksesi uudelleen.
error-forbidden = Roolisi ei salli tätä: muokkaamiseen tarvitaan muokkaajan rooli, käyttäjien hallintaan ylläpitäjän rooli.
error-rejected = Muutosta ei tallennettu: se jättäisi työtilaan nämä virheet.
error-unauthenticated = Kirjaudu ensin sisään.
