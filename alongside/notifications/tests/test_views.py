from __future__ import annotations

from django.urls import reverse

from alongside.notifications.models import Notification, NotificationPreference
from alongside.test import BaseTestCase

LIST = reverse("notifications:list")


def notify(user, **extra) -> Notification:
    extra.setdefault("kind", Notification.Kind.KUDOS)
    extra.setdefault("message", "Bob gave you kudos.")
    return Notification.objects.create(user=user, **extra)


class NotificationListTestCase(BaseTestCase):
    def test_it_lists_only_the_users_notifications(self) -> None:
        notify(self.alice, message="For Alice")
        notify(self.bob, message="For Bob")
        self.client.force_login(self.alice)
        r = self.client.get(LIST)
        self.assertContains(r, "For Alice")
        self.assertNotContains(r, "For Bob")

    def test_it_shows_an_empty_state(self) -> None:
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(LIST), 'class="empty-state"')

    def test_it_paginates(self) -> None:
        for i in range(35):
            notify(self.alice, message=f"News {i}")
        self.client.force_login(self.alice)
        r = self.client.get(LIST)
        self.assertEqual(len(r.context["entries"]), 30)
        self.assertContains(r, "Page 1 of 2")
        self.assertEqual(len(self.client.get(LIST, {"page": 2}).context["entries"]), 5)

    def test_it_links_only_to_organizations_the_user_still_belongs_to(self) -> None:
        notify(self.alice, organization=self.org, url="/o/northwind/wall/")
        notify(self.alice, organization=self.other_org, url="/o/other/wall/")
        notify(self.alice, organization=None, url="/notifications/settings/")
        self.client.force_login(self.alice)
        r = self.client.get(LIST)
        self.assertContains(r, 'href="/o/northwind/wall/"')
        self.assertContains(r, 'href="/notifications/settings/"')
        self.assertNotContains(r, 'href="/o/other/wall/"')

    def test_the_nav_shows_the_unread_count(self) -> None:
        notify(self.alice)
        notify(self.alice)
        notify(self.alice).mark_read()
        self.client.force_login(self.alice)
        r = self.client.get(LIST)
        self.assertContains(r, '<span class="badge-count">2', html=False)

    def test_it_renders_messages_inert(self) -> None:
        notify(self.alice, message="<script>alert(1)</script>")
        self.client.force_login(self.alice)
        r = self.client.get(LIST)
        self.assertNotContains(r, "<script>alert(1)")
        self.assertContains(r, "&lt;script&gt;alert(1)&lt;/script&gt;")


class MarkReadTestCase(BaseTestCase):
    def test_it_marks_one_as_read(self) -> None:
        mine = notify(self.alice)
        other = notify(self.alice)
        self.client.force_login(self.alice)
        url = reverse("notifications:mark_read", kwargs={"pk": mine.pk})
        r = self.client.post(url, {"next": f"{LIST}?page=1"})
        self.assertRedirects(r, f"{LIST}?page=1")
        mine.refresh_from_db()
        other.refresh_from_db()
        self.assertIsNotNone(mine.read_at)
        self.assertIsNone(other.read_at)

    def test_it_marks_all_as_read(self) -> None:
        for _ in range(3):
            notify(self.alice)
        bobs = notify(self.bob)
        self.client.force_login(self.alice)
        r = self.client.post(reverse("notifications:mark_all_read"))
        self.assertRedirects(r, LIST)
        self.assertFalse(Notification.objects.for_user(self.alice).unread().exists())
        bobs.refresh_from_db()
        self.assertIsNone(bobs.read_at)

    def test_it_does_not_change_data_on_get(self) -> None:
        mine = notify(self.alice)
        self.client.force_login(self.alice)
        url = reverse("notifications:mark_read", kwargs={"pk": mine.pk})
        self.assertEqual(self.client.get(url).status_code, 405)
        r = self.client.get(reverse("notifications:mark_all_read"))
        self.assertEqual(r.status_code, 405)
        mine.refresh_from_db()
        self.assertIsNone(mine.read_at)

    def test_it_is_404_for_someone_elses_notification(self) -> None:
        bobs = notify(self.bob)
        self.client.force_login(self.oscar)
        url = reverse("notifications:mark_read", kwargs={"pk": bobs.pk})
        self.assertEqual(self.client.post(url).status_code, 404)
        bobs.refresh_from_db()
        self.assertIsNone(bobs.read_at)

    def test_it_ignores_a_next_url_on_another_site(self) -> None:
        mine = notify(self.alice)
        self.client.force_login(self.alice)
        url = reverse("notifications:mark_read", kwargs={"pk": mine.pk})
        r = self.client.post(url, {"next": "https://evil.example/"})
        self.assertRedirects(r, LIST)

    def test_it_requires_login(self) -> None:
        mine = notify(self.alice)
        url = reverse("notifications:mark_read", kwargs={"pk": mine.pk})
        r = self.client.post(url)
        self.assertEqual(r.status_code, 302)
        self.assertIn("/accounts/login/", r["Location"])


class PreferencesTestCase(BaseTestCase):
    url = reverse("notifications:preferences")

    def test_everything_is_on_by_default(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.get(self.url)
        form = r.context["form"]
        self.assertTrue(all(form[name].value() for name in form.fields))
        self.assertContains(r, "Kudos I receive")

    def test_it_saves_the_choices(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.post(
            self.url, {"email_confirmations": "on", "email_reminders": "on"}
        )
        self.assertRedirects(r, self.url)
        preference = NotificationPreference.objects.get(user=self.alice)
        self.assertTrue(preference.email_confirmations)
        self.assertFalse(preference.email_kudos)
        self.assertFalse(preference.email_badges)
        self.assertTrue(preference.email_reminders)
        # Saving again updates the same row.
        self.client.post(self.url, {})
        self.assertEqual(NotificationPreference.objects.count(), 1)
        self.assertFalse(NotificationPreference.objects.get().email_confirmations)
