<!-- the whole width NodeBB's ACP gives a page (as its privileges and users pages use it), not a settings page's 800px column -->
<div class="sunbird-acp d-flex flex-column gap-2 px-lg-4">
	<!-- IMPORT admin/partials/settings/header.tpl -->

	<div class="row m-0">
		<div id="spy-container" class="col-12 col-xxl-10 px-0 mb-4" tabindex="0">
			<form role="form" class="sunbird-settings">
				<div class="mb-4" id="sunbird-settings" style="max-width: 56rem;">
					<h5 class="fw-bold tracking-tight settings-header">[[sunbird-discussions:settings]]</h5>
					<p class="text-muted text-sm">[[sunbird-discussions:settings.intro]]</p>

					<div class="mb-3">
						<label class="form-label" for="emailDomain">[[sunbird-discussions:email-domain]]</label>
						<input type="text" id="emailDomain" name="emailDomain" class="form-control" placeholder="learners.example.org">
						<p class="form-text">[[sunbird-discussions:email-domain.help]]</p>
					</div>
					<div class="form-check form-switch mb-2">
						<input type="checkbox" class="form-check-input" id="exemptNewUserRestrictions" name="exemptNewUserRestrictions">
						<label for="exemptNewUserRestrictions" class="form-check-label">[[sunbird-discussions:exempt-new-users]]</label>
					</div>
					<div class="form-check form-switch mb-3">
						<input type="checkbox" class="form-check-input" id="defaultPublic" name="defaultPublic">
						<label for="defaultPublic" class="form-check-label">[[sunbird-discussions:default-public]]</label>
					</div>
					<div class="mb-2">
						<label class="form-label" for="legacyParentCids">[[sunbird-discussions:legacy-parents]]</label>
						<textarea id="legacyParentCids" name="legacyParentCids" class="form-control font-monospace" rows="2" placeholder="6"></textarea>
						<p class="form-text">[[sunbird-discussions:legacy-parents.help]]</p>
					</div>
					<div class="form-check form-switch mb-2">
						<input type="checkbox" class="form-check-input" id="legacyForumsPrivate" name="legacyForumsPrivate">
						<label for="legacyForumsPrivate" class="form-check-label">[[sunbird-discussions:legacy-private]]</label>
					</div>
					<div class="form-check form-switch mb-3">
						<input type="checkbox" class="form-check-input" id="legacyRemoveDeletes" name="legacyRemoveDeletes">
						<label for="legacyRemoveDeletes" class="form-check-label">[[sunbird-discussions:legacy-remove-deletes]]</label>
					</div>
					<div class="row mb-3">
						<div class="col-6">
							<label class="form-label" for="activityRetentionDays">[[sunbird-discussions:retention-days]]</label>
							<input type="number" min="1" max="3650" id="activityRetentionDays" name="activityRetentionDays" class="form-control" placeholder="90">
						</div>
						<div class="col-6">
							<label class="form-label" for="activityRetentionCount">[[sunbird-discussions:retention-count]]</label>
							<input type="number" min="100" max="1000000" id="activityRetentionCount" name="activityRetentionCount" class="form-control" placeholder="10000">
						</div>
						<p class="form-text">[[sunbird-discussions:retention.help]]</p>
					</div>
					<div class="mb-3">
						<label class="form-label" for="webhookUrls">[[sunbird-discussions:webhook-urls]]</label>
						<textarea id="webhookUrls" name="webhookUrls" class="form-control font-monospace" rows="3" placeholder="https://hooks.example.org/sunbird"></textarea>
						<p class="form-text">[[sunbird-discussions:webhook-urls.help]]</p>
					</div>
					<div class="mb-3">
						<label class="form-label" for="webhookSecret">[[sunbird-discussions:webhook-secret]]</label>
						<input type="password" autocomplete="new-password" id="webhookSecret" name="webhookSecret" class="form-control">
						<p class="form-text">[[sunbird-discussions:webhook-secret.help]]</p>
					</div>
					<div class="form-check form-switch mb-3">
						<input type="checkbox" class="form-check-input" id="webhookAllowPrivate" name="webhookAllowPrivate">
						<label for="webhookAllowPrivate" class="form-check-label">[[sunbird-discussions:webhook-allow-private]]</label>
						<p class="form-text">[[sunbird-discussions:webhook-allow-private.help]]</p>
					</div>
					<div class="mb-3">
						<label class="form-label" for="allowedGroups">[[sunbird-discussions:allowed-groups]]</label>
						<textarea id="allowedGroups" name="allowedGroups" class="form-control font-monospace" rows="2"></textarea>
						<p class="form-text">[[sunbird-discussions:allowed-groups.help]]</p>
					</div>
					<div class="mb-3">
						<label class="form-label" for="notificationUrlHosts">[[sunbird-discussions:notification-url-hosts]]</label>
						<textarea id="notificationUrlHosts" name="notificationUrlHosts" class="form-control font-monospace" rows="2" placeholder="sunbird.example.org"></textarea>
						<p class="form-text">[[sunbird-discussions:notification-url-hosts.help]]</p>
					</div>
				</div>
			</form>

			<div class="mb-4" id="sunbird-forums">
				<h5 class="fw-bold tracking-tight settings-header">[[sunbird-discussions:forums]]</h5>
				<p class="text-muted text-sm">[[sunbird-discussions:forums.intro]]</p>
				<form class="row g-2 align-items-end mb-2" component="sunbird/search/context">
					<div class="col-sm-4">
						<label class="form-label text-sm" for="sunbird-search-type">[[sunbird-discussions:search.type]]</label>
						<input type="text" class="form-control form-control-sm" id="sunbird-search-type" name="type" placeholder="batch">
					</div>
					<div class="col-sm-5">
						<label class="form-label text-sm" for="sunbird-search-identifier">[[sunbird-discussions:search.identifier]]</label>
						<input type="text" class="form-control form-control-sm" id="sunbird-search-identifier" name="identifier">
					</div>
					<div class="col-sm-3">
						<button type="submit" class="btn btn-sm btn-primary w-100" component="sunbird/search/context/go">[[sunbird-discussions:search.by-context]]</button>
					</div>
				</form>
				<form class="row g-2 align-items-end mb-3" component="sunbird/search/name">
					<div class="col-sm-9">
						<label class="form-label text-sm" for="sunbird-search-name">[[sunbird-discussions:search.name]]</label>
						<input type="text" class="form-control form-control-sm" id="sunbird-search-name" name="name">
					</div>
					<div class="col-sm-3">
						<button type="submit" class="btn btn-sm btn-outline-primary w-100" component="sunbird/search/name/go">[[sunbird-discussions:search.by-name]]</button>
					</div>
				</form>
				<div component="sunbird/forums"></div>
			</div>

			<div class="mb-4" id="sunbird-drift">
				<h5 class="fw-bold tracking-tight settings-header">[[sunbird-discussions:drift]]</h5>
				<p class="text-muted text-sm">[[sunbird-discussions:drift.intro]]</p>
				<div class="d-flex gap-2 mb-2">
					<button type="button" class="btn btn-sm btn-outline-secondary" component="sunbird/drift/check">[[sunbird-discussions:drift.check]]</button>
					<button type="button" class="btn btn-sm btn-warning hidden" component="sunbird/drift/repair-all">[[sunbird-discussions:drift.repair-all]]</button>
				</div>
				<div component="sunbird/drift"></div>
			</div>

			<div class="mb-4" id="sunbird-audit">
				<h5 class="fw-bold tracking-tight settings-header">[[sunbird-discussions:audit]]</h5>
				<p class="text-muted text-sm">[[sunbird-discussions:audit.intro]]</p>
				<form class="row g-2 align-items-end mb-2" component="sunbird/audit/filter">
					<div class="col-sm-6 col-lg-3 col-xl-2">
						<label class="form-label text-sm" for="sunbird-audit-actor">[[sunbird-discussions:audit.actor]]</label>
						<input type="text" class="form-control form-control-sm" id="sunbird-audit-actor" name="actor" maxlength="128" placeholder="[[sunbird-discussions:audit.actor.placeholder]]">
					</div>
					<div class="col-sm-6 col-lg-3 col-xl-2">
						<label class="form-label text-sm" for="sunbird-audit-forum">[[sunbird-discussions:audit.forum]]</label>
						<input type="text" class="form-control form-control-sm" id="sunbird-audit-forum" name="forum" maxlength="255" placeholder="[[sunbird-discussions:audit.forum.placeholder]]">
					</div>
					<div class="col-sm-6 col-lg-3 col-xl-2">
						<label class="form-label text-sm" for="sunbird-audit-context">[[sunbird-discussions:audit.context]]</label>
						<input type="text" class="form-control form-control-sm" id="sunbird-audit-context" name="context" maxlength="200" placeholder="[[sunbird-discussions:audit.context.placeholder]]">
					</div>
					<div class="col-sm-6 col-lg-3 col-xl-2">
						<label class="form-label text-sm" for="sunbird-audit-operation">[[sunbird-discussions:audit.operation]]</label>
						<select class="form-select form-select-sm" id="sunbird-audit-operation" name="operation"><option value="">[[sunbird-discussions:audit.any]]</option></select>
					</div>
					<div class="col-sm-6 col-lg-3 col-xl-2">
						<label class="form-label text-sm" for="sunbird-audit-outcome">[[sunbird-discussions:audit.outcome]]</label>
						<select class="form-select form-select-sm" id="sunbird-audit-outcome" name="outcome">
							<option value="">[[sunbird-discussions:audit.any]]</option>
							<option value="ok">[[sunbird-discussions:audit.outcome.ok]]</option>
							<option value="refused">[[sunbird-discussions:audit.outcome.refused]]</option>
						</select>
					</div>
					<div class="col-sm-6 col-lg-3 col-xl-2">
						<label class="form-label text-sm" for="sunbird-audit-limit">[[sunbird-discussions:audit.per-page]]</label>
						<select class="form-select form-select-sm" id="sunbird-audit-limit" name="limit">
							<option value="25" selected>25</option>
							<option value="50">50</option>
							<option value="100">100</option>
						</select>
					</div>
					<div class="col-sm-6 col-lg-3 col-xl-2">
						<label class="form-label text-sm" for="sunbird-audit-since">[[sunbird-discussions:audit.since]]</label>
						<input type="date" class="form-control form-control-sm" id="sunbird-audit-since" name="since">
					</div>
					<div class="col-sm-6 col-lg-3 col-xl-2">
						<label class="form-label text-sm" for="sunbird-audit-until">[[sunbird-discussions:audit.until]]</label>
						<input type="date" class="form-control form-control-sm" id="sunbird-audit-until" name="until">
					</div>
					<div class="col-lg-6 col-xl-8 d-flex gap-2 justify-content-end">
						<button type="submit" class="btn btn-sm btn-primary" component="sunbird/audit/go">[[sunbird-discussions:audit.filter]]</button>
						<button type="reset" class="btn btn-sm btn-light">[[sunbird-discussions:audit.reset]]</button>
						<button type="button" class="btn btn-sm btn-outline-secondary" component="sunbird/audit/export" disabled><i class="fa fa-download"></i> [[sunbird-discussions:audit.export]]</button>
					</div>
				</form>
				<div component="sunbird/audit"></div>
			</div>
		</div>

		<!-- NodeBB's settings table of contents (admin/settings.js fills it from the section headers), shown beside the page only where the page has room for it -->
		<div class="col-xxl-2 d-none d-xxl-block px-3 hidden" component="settings/toc">
			<div class="sticky-top" style="top: 4.0rem;">
				<div class="fw-bold text-xs text-muted mb-1">[[admin/settings/general:on-this-page]]</div>
				<nav id="settings-navbar" class="h-100 flex-column align-items-stretch">
					<nav class="nav nav-pills flex-column gap-2" component="settings/toc/list"></nav>
				</nav>
			</div>
		</div>
	</div>
</div>
