"""Demo feature adoption: what each account's contract includes, the CS team's recommendations
for the features nobody uses, and two campaigns at Acme: one finished (launched 45 days ago,
its result measured) and one running, whose card Acme's people see on their account page.

The demo's people get product users of their own (the product knows them by the same e-mail
as the portal), with their usage written through insights' ingest service and rolled up.
Idempotent: licences, recommendations and campaigns already there are left as they are."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from academy.models import Course
from accounts.models import Account, Membership, Stage, User
from insights.services.ingest import upsert_usage, upsert_users
from insights.services.usage import days_back, roll_up

from .models import AdoptionCampaign, LicensedFeature, Recommendation, RecommendationKind
from .services import add_recommendation, create_campaign, launch_campaign, set_licensed_features

CORE = ["reports", "dashboards", "exports"]
LICENCES = {
    "acme": [*CORE, "alerts", "api", "workflows", "forecasts", "sso"],
    "globex": [*CORE, "alerts", "forecasts"],
    "initech": [*CORE, "alerts"],
}

GENERAL = [
    ("forecasts", RecommendationKind.HOW_TO, "Your first forecast in five minutes",
     "1. Open **Reports** and pick a report with a date column.\n"
     "2. Choose **Forecast** in the toolbar and the months ahead.\n"
     "3. Share it: the forecast refreshes with the report."),
    ("forecasts", RecommendationKind.COURSE, "Take the reports course first", ""),
    ("sso", RecommendationKind.HOW_TO, "Sign in with your company account",
     "Ask your IT team for your identity provider's metadata URL, then send it to your CSM: "
     "we switch single sign-on on the same day. Nobody needs a new password."),
    ("alerts", RecommendationKind.LINK, "Alerts: get told when a number moves",
     "https://docs.northwind.example/alerts/getting-started"),
    ("workflows", RecommendationKind.HOW_TO, "Automate the Monday report",
     "Build it once in **Workflows → New**: a trigger (*every Monday 8:00*), a report and "
     "who receives it. Most teams save an hour a week."),
    ("api", RecommendationKind.LINK, "The API in ten minutes",
     "https://docs.northwind.example/api/quickstart"),
]  # fmt: skip

# Each campaign, when it was launched and who used its feature how many days after the launch.
CAMPAIGNS: list[dict[str, Any]] = [
    {
        "name": "Alerts for Acme's finance team",
        "feature": "alerts",
        "launched_days_ago": 45,
        "headline": "Know when a number moves, without opening a report",
        "message": "Set an **alert** on any figure in a report: you get an e-mail when it "
        "crosses the line you choose. Finance teams use it for late invoices and cash.",
        "link": "https://docs.northwind.example/alerts/getting-started",
        "used_after": {"dana@acme.example": 3, "mia@acme.example": 11},
        "translations": {
            "de": {
                "headline": "Erfahren Sie, wenn sich eine Zahl bewegt, ohne einen Bericht zu öffnen",
                "message": "Legen Sie für jede Zahl eines Berichts einen **Alarm** fest: Sie "
                "erhalten eine E-Mail, sobald sie die gewählte Grenze überschreitet. "
                "Finanzteams nutzen das für überfällige Rechnungen und Liquidität.",
            },
            "fr": {
                "headline": "Sachez quand un chiffre bouge, sans ouvrir de rapport",
                "message": "Créez une **alerte** sur n’importe quel chiffre d’un rapport : vous "
                "recevez un e-mail dès qu’il franchit le seuil choisi. Les équipes financières "
                "l’utilisent pour les factures en retard et la trésorerie.",
            },
            "es": {
                "headline": "Sepa cuándo cambia una cifra, sin abrir ningún informe",
                "message": "Configure una **alerta** en cualquier cifra de un informe: recibirá "
                "un correo cuando cruce el límite que elija. Los equipos de finanzas la usan "
                "para facturas vencidas y tesorería.",
            },
        },
    },
    {
        "name": "Workflows: automate the Monday report",
        "feature": "workflows",
        "launched_days_ago": 12,
        "headline": "Let the Monday report send itself",
        "message": "**Workflows** run a report on a schedule and send it to the people who "
        "need it. Build the first in two minutes from *Workflows → New*.",
        "link": "https://docs.northwind.example/workflows",
        "used_after": {"mia@acme.example": 5},
        "translations": {
            "de": {
                "headline": "Lassen Sie den Montagsbericht sich selbst versenden",
                "message": "**Workflows** führen einen Bericht nach Zeitplan aus und senden ihn "
                "an die Personen, die ihn brauchen. Den ersten erstellen Sie in zwei Minuten "
                "unter *Workflows → Neu*.",
            },
            "fr": {
                "headline": "Laissez le rapport du lundi s’envoyer tout seul",
                "message": "Les **workflows** exécutent un rapport selon un calendrier et "
                "l’envoient aux personnes qui en ont besoin. Créez le premier en deux minutes "
                "depuis *Workflows → Nouveau*.",
            },
            "es": {
                "headline": "Deje que el informe del lunes se envíe solo",
                "message": "Los **workflows** ejecutan un informe según una programación y lo "
                "envían a quienes lo necesitan. Cree el primero en dos minutos desde "
                "*Workflows → Nuevo*.",
            },
        },
    },
]


def _staff() -> User:
    return User.objects.get(email="priya@northwind.example")


def _people_as_product_users(accounts: list[Account]) -> int:
    """Each demo customer as a product user of their account, keyed by their e-mail's name."""
    rows = [
        {
            "account_id": m.account_id,
            "external_id": f"{m.account.slug}-{m.user.email.split('@')[0]}",
            "email": m.user.email,
            "name": m.user.name,
        }
        for m in Membership.objects.filter(account__in=accounts).select_related("user", "account")
    ]
    return upsert_users(rows)


def _usage(account: Account, today: date) -> None:
    """Their reports on most weekdays of the last 90 days."""
    rows: list[dict[str, Any]] = []
    for m in Membership.objects.filter(account=account).select_related("user"):
        key = f"{account.slug}-{m.user.email.split('@')[0]}"
        rows.extend(
            {
                "account_id": account.pk,
                "user_key": key,
                "day": day,
                "feature": "reports",
                "count": 4,
            }
            for day in days_back(today, 90)
            if day.weekday() < 5 and (day.toordinal() + m.user_id) % 3
        )
    upsert_usage(rows)


@transaction.atomic
def ensure_demo_adoption(today: date | None = None) -> int:
    today = today or timezone.localdate()
    staff = _staff()
    accounts = {a.slug: a for a in Account.objects.filter(slug__in=list(LICENCES))}
    if "acme" not in accounts:
        return 0
    created = 0
    for slug, features in LICENCES.items():
        if slug in accounts and not LicensedFeature.objects.filter(account=accounts[slug]).exists():
            created += set_licensed_features(accounts[slug], features, acting_user=staff)
    # The other accounts of the book license the core features, so a segment has a median.
    for account in Account.objects.exclude(slug__in=list(LICENCES)).exclude(stage=Stage.CHURNED):
        if not LicensedFeature.objects.filter(account=account).exists():
            created += set_licensed_features(account, CORE, acting_user=staff)
    if not Recommendation.objects.exists():
        course = Course.objects.filter(published_at__isnull=False).order_by("pk").first()
        for feature, kind, title, text in GENERAL:
            if kind == RecommendationKind.COURSE and course is None:
                continue
            add_recommendation(
                feature=feature,
                kind=kind,
                title=title,
                url=text if kind == RecommendationKind.LINK else "",
                body=text if kind == RecommendationKind.HOW_TO else "",
                course=course if kind == RecommendationKind.COURSE else None,
                acting_user=staff,
            )
            created += 1
        add_recommendation(
            feature="forecasts",
            kind=RecommendationKind.LINK,
            title="Webinar for logistics teams: forecasting delivery volumes",
            url="https://northwind.example/webinars/forecasting-logistics",
            account=accounts["acme"],
            pinned=True,
            acting_user=staff,
        )
        created += 1
    if not AdoptionCampaign.objects.exists():
        created += _campaigns(accounts["acme"], staff, today)
    return created


def _campaigns(acme: Account, staff: User, today: date) -> int:
    _people_as_product_users(list(Account.objects.filter(slug__in=list(LICENCES))))
    created = 0
    for spec in CAMPAIGNS:
        launched_on = today - timedelta(days=spec["launched_days_ago"])
        used = {e: launched_on + timedelta(days=d) for e, d in spec["used_after"].items()}
        campaign = create_campaign(
            name=spec["name"],
            feature=spec["feature"],
            idle_days=30,
            headline=spec["headline"],
            message=spec["message"],
            link=spec["link"],
            translations=spec["translations"],
            account=acme,
            acting_user=staff,
        )
        at = timezone.make_aware(datetime.combine(launched_on, time(10)))
        launch_campaign(campaign, acting_user=staff, at=at)
        created += 1 + campaign.targets.count()
        _usage_after(acme, spec["feature"], used)
    _usage(acme, today)
    roll_up([acme.pk], days_back(today, 90))
    return created


def _usage_after(account: Account, feature: str, used: dict[str, date]) -> None:
    rows = [
        {
            "account_id": account.pk,
            "user_key": f"{account.slug}-{email.split('@')[0]}",
            "day": day,
            "feature": feature,
            "count": 3,
        }
        for email, day in used.items()
    ]
    if rows:
        upsert_usage(rows)
