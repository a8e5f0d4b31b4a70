"""The load run: the portal's three journeys at once, against gunicorn on loopback.

- a programme manager runs a cohort (dashboard, cohorts, an application board, an
  application, the roster);
- an SME founder looks at open calls and their pages under /my/, and tries to book a mentor
  session (a taken time or a used budget is an answer, 400 with a message, not an error);
- a funder reads the impact dashboards and downloads a CSV report.

Started by bench/load/run.sh. Any 5xx, any unexpected status, any connection error and any
appearance of the marker of a tenant none of these users belongs to (LOAD_MARKER) is a
failure; run.sh fails the run on any failure."""

import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "demo-pass-2026")
MARKER = os.environ.get("LOAD_MARKER", "zzloadleak")
ORG = "capital-trade"


class Journey(HttpUser):
    """One person: signs in once, then reads each page for a few seconds before the next
    click (the pause follows every request, not only each journey)."""

    abstract = True
    wait_time = between(2.0, 8.0)
    email = ""

    def on_start(self):
        page = self.client.get("/accounts/login/", name="sign-in page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        with self.client.post(
            "/accounts/login/",
            {"login": self.email, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
            headers={"Referer": f"{self.host}/accounts/login/"},
            allow_redirects=False,
            name="sign in",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in as {self.email}: {response.status_code}")

    def page(self, url, name, ok=(200,)):
        """GET a page; a failure unless its status is expected and no marker leaks.
        Redirects are not followed: a bounce to the sign-in page is a failure."""
        with self.client.get(
            url, name=name, allow_redirects=False, catch_response=True
        ) as response:
            self._check(response, ok)
        self.wait()
        return response

    def post(self, url, data, name, ok=(302,)):
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            url,
            {**data, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}{url}", "X-CSRFToken": token},
            allow_redirects=False,
            name=name,
            catch_response=True,
        ) as response:
            self._check(response, ok)
        self.wait()
        return response

    def _check(self, response, ok):
        if response.status_code == 0:  # no HTTP answer at all: say what happened
            response.failure(f"no response: {response.error!r}")
        elif response.status_code not in ok:
            response.failure(f"status {response.status_code}")
        elif MARKER.encode() in response.content:
            response.failure(f"tenant marker {MARKER} leaked")
        else:
            response.success()

    @staticmethod
    def links(response, pattern):
        return sorted(set(re.findall(pattern, response.text or "")))


class Manager(Journey):
    weight = 2
    email = f"manager@{ORG}.demo"

    @task
    def run_a_cohort(self):
        self.page(f"/{ORG}/", "manager: dashboard")
        cohorts = self.page(f"/{ORG}/cohorts/", "manager: cohorts")
        ids = self.links(cohorts, rf'href="/{ORG}/cohorts/(\d+)/"')
        if not ids:
            return
        cohort = random.choice(ids)
        self.page(f"/{ORG}/cohorts/{cohort}/", "manager: cohort")
        board = self.page(f"/{ORG}/cohorts/{cohort}/applications/", "manager: board")
        apps = self.links(board, rf'href="/{ORG}/applications/(\d+)/"')
        if apps:
            self.page(f"/{ORG}/applications/{random.choice(apps)}/", "manager: application")
        self.page(f"/{ORG}/cohorts/{cohort}/roster/", "manager: roster")


class Founder(Journey):
    weight = 3
    email = "amara.okafor@lumengrid.demo"

    @task
    def apply_and_book(self):
        self.page("/my/", "sme: my pages")
        calls = self.page("/calls/", "sme: open calls")
        call_links = self.links(calls, r'href="(/calls/[^"]+/)"')
        if call_links:
            call = self.page(random.choice(call_links), "sme: a call")
            applies = self.links(call, r'href="(/my/apply/\d+/)"')
            if applies:
                # The application page, or back to the existing application (302).
                self.page(random.choice(applies), "sme: apply", ok=(200, 302))
        mentoring = self.page("/my/mentoring/", "sme: mentoring")
        books = self.links(mentoring, r'href="(/my/mentoring/matches/\d+/book/)"')
        if not books:
            return
        url = random.choice(books)
        page = self.page(url, "sme: booking page")
        times = self.links(page, r'name="starts_at"[^>]*value="([^"]+)"')
        if times:
            # Many founders press at once: a 400 with "taken" / "budget used" is an answer.
            self.post(
                url,
                {"starts_at": random.choice(times), "place": "Venture Centre"},
                "sme: book",
                ok=(302, 400),
            )


class Funder(Journey):
    weight = 1
    email = f"funder@{ORG}.demo"

    @task
    def download_a_report(self):
        overview = self.page(f"/{ORG}/impact/", "funder: impact")
        programmes = self.links(overview, rf'href="/{ORG}/impact/programmes/(\d+)/"')
        if not programmes:
            return
        programme = random.choice(programmes)
        self.page(f"/{ORG}/impact/programmes/{programme}/", "funder: programme")
        reports = self.page(f"/{ORG}/impact/programmes/{programme}/reports/", "funder: reports")
        ready = self.links(reports, rf'href="(/{ORG}/impact/reports/\d+/download/)"')
        if ready:
            self.page(random.choice(ready), "funder: download report")
        else:
            self.post(
                f"/{ORG}/impact/programmes/{programme}/reports/",
                {"format": "csv"},
                "funder: issue report",
                ok=(302, 400),
            )
