using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Strait.RunsApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class JobDependencies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "job_dependencies",
                schema: "runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    job_id = table.Column<Guid>(type: "uuid", nullable: false),
                    depends_on_job_id = table.Column<Guid>(type: "uuid", nullable: false),
                    condition = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_job_dependencies", x => x.id);
                    table.ForeignKey(
                        name: "fk_job_dependencies_jobs_depends_on_job_id",
                        column: x => x.depends_on_job_id,
                        principalSchema: "runs",
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_job_dependencies_jobs_job_id",
                        column: x => x.job_id,
                        principalSchema: "runs",
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_runs_dependency_wait",
                schema: "runs",
                table: "runs",
                column: "job_id",
                filter: "wait_reason = 'dependencies'");

            migrationBuilder.CreateIndex(
                name: "ix_runs_job_finished",
                schema: "runs",
                table: "runs",
                columns: new[] { "job_id", "finished_at" },
                filter: "finished_at IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_job_dependencies_depends_on_job_id",
                schema: "runs",
                table: "job_dependencies",
                column: "depends_on_job_id");

            migrationBuilder.CreateIndex(
                name: "ix_job_dependencies_job_id_depends_on_job_id",
                schema: "runs",
                table: "job_dependencies",
                columns: new[] { "job_id", "depends_on_job_id" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "job_dependencies",
                schema: "runs");

            migrationBuilder.DropIndex(
                name: "ix_runs_dependency_wait",
                schema: "runs",
                table: "runs");

            migrationBuilder.DropIndex(
                name: "ix_runs_job_finished",
                schema: "runs",
                table: "runs");
        }
    }
}
